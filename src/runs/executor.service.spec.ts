import { ManualClock } from '../../test/support/manual-clock';
import { InvalidFieldError, JobNotFoundError, RunnerError } from '../common/errors';
import { MinionSettings } from '../config/settings';
import { manualOccurrence, scheduledOccurrence } from '../coordination/occurrence';
import { MinionMetrics } from '../metrics/minion-metrics';
import { JobDocument } from '../repository/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { RunContext, Runner } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from '../scheduler/job-cache.service';
import { Executor } from './executor.service';

const KEY = { account: 'acct', group: 'grp', id: 'job-1' };
const doc = (overrides: Partial<JobDocument> = {}): JobDocument => ({
  ...KEY,
  name: 'n',
  description: '',
  details: { runner: 'scripted' },
  schedule_expression: '* * * * *',
  enabled: true,
  modified_at: '',
  modified_by: '',
  ...overrides,
});

/** A runner doing what the test says; it records the signal it was given. */
class ScriptedRunner extends Runner<Record<string, string>> {
  readonly type = 'scripted';
  signal?: AbortSignal;
  constructor(private readonly behaviour: (ctx: RunContext) => Promise<string>) {
    super('scripted');
  }
  parseDetails(details: Record<string, string>): Record<string, string> {
    if (details.bad) throw new InvalidFieldError('job.details.bad', 'is not allowed');
    return details;
  }
  run(ctx: RunContext): Promise<string> {
    this.signal = ctx.signal;
    return this.behaviour(ctx);
  }
}

function executor(options: {
  cached?: JobDocument | null;
  stored?: () => Promise<JobDocument>;
  run?: (ctx: RunContext) => Promise<string>;
  runTimeoutMs?: number;
}) {
  const runner = new ScriptedRunner(options.run ?? (async () => 'done'));
  const cache = {
    get: () => (options.cached ? { doc: options.cached } : undefined),
  } as unknown as JobCache;
  const repository = {
    get: async () => ({
      document: await (
        options.stored ??
        (() => Promise.reject(new JobNotFoundError(KEY.account, KEY.group, KEY.id)))
      )(),
    }),
  } as unknown as JobsRepository;
  const registry = {
    parse: (_account: string, details: Record<string, string>) => ({
      runner,
      details: runner.parseDetails(details),
    }),
  } as unknown as RunnerRegistry;
  const settings = { scheduler: { runTimeoutMs: options.runTimeoutMs ?? 5000 } } as MinionSettings;
  const clock = new ManualClock('2026-01-05T10:00:03Z');
  const ex = new Executor(settings, cache, repository, registry, new MinionMetrics(), clock);
  return { ex, runner, clock };
}

const scheduled = scheduledOccurrence(
  KEY,
  'acct/grp/job-1',
  Date.parse('2026-01-05T10:00:00Z'),
  new Date('2026-01-05T10:00:00Z'),
);
const first = { number: 1 };

describe('Executor outcomes', () => {
  it('succeeded, with the output, the runner and when it started', async () => {
    const { ex } = executor({ cached: doc(), run: async () => 'started i-0abc' });
    expect(await ex.execute(scheduled, first)).toEqual({
      status: 'succeeded',
      output: 'started i-0abc',
      requestId: undefined,
      startedAt: new Date('2026-01-05T10:00:03Z'),
      runner: 'scripted',
    });
  });

  it('output beyond 64 KiB is cut and says so', async () => {
    const { ex } = executor({ cached: doc(), run: async () => 'x'.repeat(70_000) });
    const outcome = await ex.execute(scheduled, first);
    expect(outcome.status === 'succeeded' && outcome.output).toMatch(/^x{65536}… \(truncated\)$/);
  });

  it('a job not in the cache is read from the repository (created moments ago elsewhere)', async () => {
    const { ex } = executor({ cached: null, stored: async () => doc() });
    expect((await ex.execute(scheduled, first)).status).toBe('succeeded');
  });

  it('dropped when the job no longer exists', async () => {
    const { ex } = executor({ cached: null });
    expect(await ex.execute(scheduled, first)).toMatchObject({
      status: 'dropped',
      reason: 'the job no longer exists',
    });
  });

  it('failed and retryable when the repository cannot be read', async () => {
    const { ex } = executor({
      cached: null,
      stored: () => Promise.reject(new Error('S3 unreachable')),
    });
    expect(await ex.execute(scheduled, first)).toMatchObject({
      status: 'failed',
      error: 'S3 unreachable',
      permanent: false,
    });
  });

  it('skipped when the job was disabled after the occurrence was scheduled; a manual run still runs', async () => {
    const { ex } = executor({ cached: doc({ enabled: false }) });
    expect(await ex.execute(scheduled, first)).toMatchObject({
      status: 'skipped',
      runner: 'scripted',
    });
    expect((await ex.execute(manualOccurrence(KEY, new Date()), first)).status).toBe('succeeded');
  });

  it('a RunnerError keeps its permanent flag and request id', async () => {
    const permanent = executor({
      cached: doc(),
      run: () => Promise.reject(new RunnerError('InvalidInstanceID.NotFound', true, 'req-9')),
    });
    expect(await permanent.ex.execute(scheduled, first)).toMatchObject({
      status: 'failed',
      permanent: true,
      requestId: 'req-9',
      runner: 'scripted',
    });
    const transient = executor({
      cached: doc(),
      run: () => Promise.reject(new RunnerError('Throttling', false)),
    });
    expect(await transient.ex.execute(scheduled, first)).toMatchObject({ permanent: false });
  });

  it('details the runner refuses are a permanent failure naming the field', async () => {
    const { ex } = executor({ cached: doc({ details: { runner: 'scripted', bad: 'x' } }) });
    expect(await ex.execute(scheduled, first)).toMatchObject({
      status: 'failed',
      error: 'job.details.bad: is not allowed',
      permanent: true,
    });
  });

  it('a run past the run timeout fails (retryable) and its signal is aborted', async () => {
    const { ex, runner } = executor({
      cached: doc(),
      runTimeoutMs: 50,
      run: () => new Promise(() => undefined),
    });
    const outcome = await ex.execute(scheduled, first);
    expect(outcome).toMatchObject({ status: 'failed', permanent: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('timed out after 50 ms');
    expect(runner.signal?.aborted).toBe(true);
  });

  it('abortAll (shutdown) ends the runs in flight with the reason', async () => {
    const { ex, runner } = executor({ cached: doc(), run: () => new Promise(() => undefined) });
    const running = ex.execute(scheduled, first);
    await new Promise((r) => setImmediate(r));
    ex.abortAll('minion is shutting down');
    expect(await running).toMatchObject({ status: 'failed', error: 'minion is shutting down' });
    expect(runner.signal?.aborted).toBe(true);
  });
});
