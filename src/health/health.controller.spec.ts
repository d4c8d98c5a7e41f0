import { ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
} from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { mockOf, newTestService } from '../../test/support/new-test-service';
import { CoordinationHealth } from '../coordination/coordination-health';
import { JobCache } from '../job-cache/job-cache.service';
import { JobProblem } from '../job-cache/job-problems';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobsRepository } from '../repository/jobs.repository';
import { HealthController } from './health.controller';
import { RepositoryHealthIndicator } from './repository.health';
import { SchedulerHealthIndicator } from './scheduler.health';
import { ShutdownState } from './shutdown-state';

const LOCATION = 'file:/data/jobs';

/** terminus's own services: what turns indicator results into a 200 or a 503. */
let terminus: { health: HealthCheckService; indicators: HealthIndicatorService };

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
  }).compile();
  terminus = {
    health: moduleRef.get(HealthCheckService),
    indicators: moduleRef.get(HealthIndicatorService),
  };
});

function setup(coordinationCheck: CoordinationHealth['check'] | null = null) {
  const repository = mockOf(JobsRepository, { location: LOCATION });
  repository.check.mockResolvedValue();
  const cache = mockOf(JobCache, {
    loaded: true,
    size: 2,
    lastLoadAt: new Date('2026-01-05T10:00:00Z'),
    lastLoadError: null,
  });
  cache.jobProblems.mockReturnValue([]);
  const { sut: repositoryIndicator } = newTestService(RepositoryHealthIndicator, {
    health: terminus.indicators,
    repository,
  });
  const { sut: schedulerIndicator } = newTestService(SchedulerHealthIndicator, {
    health: terminus.indicators,
    cache,
  });
  const metrics = new MetricsRegistry();
  const { sut, mocks } = newTestService(HealthController, {
    health: terminus.health,
    repository: repositoryIndicator,
    scheduler: schedulerIndicator,
    coordination: coordinationCheck
      ? mockOf(CoordinationHealth, { checked: true, check: coordinationCheck })
      : mockOf(CoordinationHealth, { checked: false }),
    shutdown: new ShutdownState(),
    indicators: terminus.indicators,
    metrics,
  });
  return { controller: sut, jobsRepository: repository, cache, ...mocks };
}

type Setup = ReturnType<typeof setup>;

/** The readiness answer: the result of a 200, or the body of the 503. */
async function readiness(m: Setup): Promise<{ ok: boolean; result: HealthCheckResult }> {
  try {
    return { ok: true, result: await m.controller.readiness() };
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceUnavailableException);
    return {
      ok: false,
      result: (err as ServiceUnavailableException).getResponse() as HealthCheckResult,
    };
  }
}

async function readyGauge(m: Setup): Promise<number | undefined> {
  const metric = m.metrics.registry.getSingleMetric('minion_ready');
  return (await metric?.get())?.values[0]?.value;
}

describe('HealthController', () => {
  afterEach(() => jest.useRealTimers());

  it('is ready when the repository answers and the job cache is loaded', async () => {
    const m = setup();

    const { ok, result } = await readiness(m);

    expect(ok).toBe(true);
    expect(result.status).toBe('ok');
    expect(result.details).toEqual({
      repository: { status: 'up', location: LOCATION },
      scheduler: {
        status: 'up',
        loaded: true,
        jobs: 2,
        lastLoadAt: '2026-01-05T10:00:00.000Z',
        lastLoadError: null,
        unrunnable: { count: 0, jobs: [] },
      },
    });
    expect(await readyGauge(m)).toBe(1);
  });

  it('is not ready when the repository check fails, with its message', async () => {
    const m = setup();
    m.jobsRepository.check.mockRejectedValue(new Error('EACCES: permission denied'));

    const { ok, result } = await readiness(m);

    expect(ok).toBe(false);
    expect(result.error?.repository).toEqual({
      status: 'down',
      location: LOCATION,
      message: 'EACCES: permission denied',
    });
    expect(result.info?.scheduler?.status).toBe('up');
    expect(await readyGauge(m)).toBe(0);
  });

  it('is not ready when the repository check does not answer within 3 s', async () => {
    jest.useFakeTimers();
    const m = setup();
    m.jobsRepository.check.mockReturnValue(new Promise(() => undefined));

    const answer = readiness(m);
    await jest.advanceTimersByTimeAsync(3000);
    const { ok, result } = await answer;

    expect(ok).toBe(false);
    expect(result.error?.repository).toEqual({
      status: 'down',
      location: LOCATION,
      message: 'repository check: no answer within 3000 ms',
    });
  });

  it('is ready while the first job cache load is in flight, and says so', async () => {
    const m = setup();
    m.cache.loaded = false;
    m.cache.lastLoadAt = null;
    m.cache.lastLoadError = 'S3 unreachable';

    const loading = await readiness(m);
    expect(loading.ok).toBe(true);
    expect(loading.result.info?.scheduler).toMatchObject({
      status: 'up',
      loaded: false,
      lastLoadAt: null,
      lastLoadError: 'S3 unreachable',
    });
    expect(await readyGauge(m)).toBe(1);

    m.cache.loaded = true;
    const after = await readiness(m);
    expect(after.result.info?.scheduler).toMatchObject({ status: 'up', loaded: true });
  });

  it('reports unrunnable jobs (the first 20 and how many) without being unready', async () => {
    const m = setup();
    const problems: JobProblem[] = Array.from({ length: 25 }, (_, i) => ({
      job: `acct/g/j${i}`,
      problem: 'runner',
      reason: 'not allowed',
    }));
    m.cache.jobProblems.mockReturnValue(problems);

    const { ok, result } = await readiness(m);

    expect(ok).toBe(true);
    const unrunnable = result.details.scheduler.unrunnable as { count: number; jobs: unknown[] };
    expect(unrunnable.count).toBe(25);
    expect(unrunnable.jobs).toEqual(problems.slice(0, 20));
  });

  it('includes the coordination check when there is one', async () => {
    const m = setup(async () => ({ redis: { status: 'down', message: 'ECONNREFUSED' } }));

    const { ok, result } = await readiness(m);

    expect(ok).toBe(false);
    expect(result.error).toEqual({ redis: { status: 'down', message: 'ECONNREFUSED' } });
  });

  it('while draining adds a down shutdown check, and the gauge turns 0', async () => {
    const m = setup();
    expect((await readiness(m)).ok).toBe(true);

    m.shutdown.begin(new Date('2026-01-05T10:05:00Z'));
    const { ok, result } = await readiness(m);

    expect(ok).toBe(false);
    expect(result.error).toEqual({
      shutdown: { status: 'down', message: 'shutting down', since: '2026-01-05T10:05:00.000Z' },
    });
    expect(result.info?.repository?.status).toBe('up');
    expect(await readyGauge(m)).toBe(0);
  });

  it('liveness checks nothing: alive while the repository is down', async () => {
    const m = setup();
    m.jobsRepository.check.mockRejectedValue(new Error('down'));

    await expect(m.controller.live()).resolves.toMatchObject({ status: 'ok', details: {} });
    expect(m.jobsRepository.check).not.toHaveBeenCalled();
  });
});
