import { ManualClock, waitFor } from '../../test/support/manual-clock';
import { FENCED_PREFIX, FencedError, runFenced } from '../domain/fence';
import { CalendarsService } from '../calendars/calendars.service';
import { InvalidFieldError, JobNotFoundError, RunnerError } from '../common/errors';
import { manualOccurrence, scheduledOccurrence } from '../domain/occurrence';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { RunMetrics } from './runs.metrics';
import { FleetMatches } from '../job-cache/fleet-matches.service';
import { RunRecorder } from './run-recorder.service';
import { MemorySequenceProgress } from '../coordination/sequence-progress';
import { JobLog } from '../job-log/job-log';
import { JobDocument } from '../domain/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { TargetState, WaitEnd, WaitLimits } from '../domain/outcome';
import { FleetTarget } from '../domain/fleet';
import { RunContext, RunResult, Runner } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from '../job-cache/job-cache.service';
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
  constructor(private readonly behaviour: (ctx: RunContext) => Promise<string | RunResult>) {
    super('scripted');
  }
  parseDetails(details: Record<string, string>): Record<string, string> {
    if (details.bad) throw new InvalidFieldError('job.details.bad', 'is not allowed');
    return details;
  }
  run(ctx: RunContext): Promise<string | RunResult> {
    this.signal = ctx.signal;
    return this.behaviour(ctx);
  }
}

function executor(options: {
  cached?: JobDocument | null;
  stored?: () => Promise<JobDocument>;
  run?: (ctx: RunContext) => Promise<string | RunResult>;
  runTimeoutMs?: number;
  wait?: WaitLimits | null;
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
      wait: options.wait ?? null,
    }),
  } as unknown as RunnerRegistry;
  const settings = { runTimeoutMs: options.runTimeoutMs ?? 5000, attempts: 3, retryDelayMs: 10 };
  const clock = new ManualClock('2026-01-05T10:00:03Z');
  const metrics = new RunMetrics(new MetricsRegistry());
  const calendars = { blackoutAt: async () => null } as unknown as CalendarsService;
  const fleetMatches = new FleetMatches({ list: async () => [] } as unknown as JobLog);
  const ex = new Executor(
    settings,
    cache,
    repository,
    registry,
    metrics,
    clock,
    calendars,
    fleetMatches,
    { record: async () => undefined } as unknown as RunRecorder,
    new MemorySequenceProgress(),
  );
  return { ex, runner, clock, metrics, fleetMatches };
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

  it('observes the lag from the scheduled minute to the action, on the injected clock', async () => {
    const { ex, clock, metrics } = executor({ cached: doc() });
    const lag = async () => (await metrics.lag.get()).values;
    clock.set(new Date('2026-01-05T10:00:03.500Z'));
    await ex.execute(scheduled, first);
    // A retry is no new lag: only the first attempt counts.
    await ex.execute(scheduled, { number: 2 });
    const values = await lag();
    const of = (name: string, le?: number) =>
      values.find(
        (v) =>
          v.metricName === name &&
          v.labels.trigger === 'schedule' &&
          (le === undefined || (v.labels as Record<string, unknown>).le === le),
      )?.value;
    expect(of('minion_occurrence_lag_seconds_sum')).toBe(3.5);
    expect(of('minion_occurrence_lag_seconds_count')).toBe(1);
    expect(of('minion_occurrence_lag_seconds_bucket', 2)).toBe(0);
    expect(of('minion_occurrence_lag_seconds_bucket', 5)).toBe(1);
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
      // As the SDK does: the aborted call fails (with its own words; the record says the timeout).
      run: ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('Request aborted'))),
        ),
    });
    const outcome = await ex.execute(scheduled, first);
    expect(outcome).toMatchObject({ status: 'failed', permanent: false });
    expect(outcome.status === 'failed' && outcome.error).toContain('timed out after 50 ms');
    expect(runner.signal?.aborted).toBe(true);
  });

  it('a fleet stopped by the run timeout is recorded with what it acted on (retryable)', async () => {
    const fleet: FleetTarget = {
      kind: 'instance',
      selector: 'Schedule=office-hours',
      state: 'stopped',
      members: [
        { id: 'i-1', before: 'running', actedAt: Date.parse('2026-01-05T10:00:04Z') },
        { id: 'i-2', before: 'running', error: 'not done (run timed out after 50 ms)' },
      ],
      poll: null,
    };
    const { ex } = executor({
      cached: doc(),
      runTimeoutMs: 50,
      wait: null,
      // actOnFleet answers its signal with the members it got to.
      run: ({ signal }) =>
        new Promise((resolve) =>
          signal.addEventListener('abort', () => resolve({ output: 'stopping', fleet })),
        ),
    });
    const outcome = await ex.execute(scheduled, first);
    expect(outcome).toMatchObject({
      status: 'failed',
      permanent: false,
      fleet: { matched: 2, missed: 1 },
    });
    const resources = outcome.status === 'failed' ? outcome.resources : [];
    expect(resources?.map((r) => [r.id, r.result])).toEqual([
      ['i-1', 'not waited'],
      ['i-2', 'failed'],
    ]);
  });

  it('abortAll (shutdown) ends the runs in flight: interrupted, not failed, with the reason', async () => {
    const { ex, runner } = executor({ cached: doc(), run: () => new Promise(() => undefined) });
    const running = ex.execute(scheduled, first);
    await new Promise((r) => setImmediate(r));
    ex.abortAll('minion is shutting down');
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'interrupted' });
    expect(outcome.status === 'interrupted' && outcome.reason).toBe(
      'the action was cut off by shutdown (minion is shutting down); the next attempt checks what it did',
    );
    expect(runner.signal?.aborted).toBe(true);
  });
});

describe('Executor: the outcome of an action decides the status', () => {
  const LIMITS: WaitLimits = { timeoutMs: 600_000, minDelayMs: 15_000, maxDelayMs: 60_000 };
  /** A runner result aiming at `running`, whose wait ends as `end` (after advancing the clock). */
  const acting = (end: WaitEnd | (() => Promise<WaitEnd>), target: Partial<TargetState> = {}) => {
    let waitedWith: WaitLimits | undefined;
    const result = async (clock: ManualClock): Promise<RunResult> => ({
      output: 'start i-0abc: stopped -> pending',
      requestId: 'req-1',
      target: {
        resource: 'instance i-0abc',
        state: 'running',
        before: 'stopped',
        wait: async (limits) => {
          waitedWith = limits;
          if (typeof end === 'function') return end();
          clock.advance(71_000);
          return end;
        },
        ...target,
      },
    });
    return { result, limits: () => waitedWith };
  };

  /** An executor whose runner acts and then waits as `acting(end)` says, on the executor's clock. */
  const actingExecutor = (end: WaitEnd) => {
    const a = acting(end);
    const box: { clock?: ManualClock } = {};
    const made = executor({
      cached: doc(),
      wait: LIMITS,
      run: () => a.result(box.clock as ManualClock),
    });
    box.clock = made.clock;
    return { ...made, limits: a.limits };
  };

  it('reached: succeeded, with before, state, when, and how long it waited; the slot was released', async () => {
    const { ex, limits } = actingExecutor({ result: 'reached', state: 'running' });
    const releaseSlot = jest.fn();
    const outcome = await ex.execute(scheduled, { number: 1, releaseSlot });
    expect(outcome).toMatchObject({
      status: 'succeeded',
      requestId: 'req-1',
      outcome: {
        result: 'reached',
        resource: 'instance i-0abc',
        target: 'running',
        before: 'stopped',
        state: 'running',
        reached_at: '2026-01-05T10:01:14.000Z',
        waited_ms: 71_000,
      },
    });
    expect(releaseSlot).toHaveBeenCalledTimes(1);
    expect(limits()).toEqual(LIMITS);
  });

  it.each([
    [
      { result: 'timeout', state: 'pending' },
      false,
      'did not reach running within 10m (last seen: pending)',
    ],
    [{ result: 'elsewhere', state: 'stopping' }, false, 'went to stopping instead of running'],
    [
      { result: 'refused', state: null, detail: 'UnauthorizedOperation: no' },
      true,
      'could not be checked: UnauthorizedOperation: no. Allow the describe call, or set details.wait to "false"',
    ],
  ] as [WaitEnd, boolean, string][])(
    'a wait ending %j fails (permanent: %s) saying why, and keeps the outcome',
    async (end, permanent, text) => {
      const { ex } = actingExecutor(end);
      const outcome = await ex.execute(scheduled, first);
      expect(outcome).toMatchObject({
        status: 'failed',
        permanent,
        outcome: { result: end.result },
      });
      expect(outcome.status === 'failed' && outcome.error).toContain(text);
    },
  );

  it('already in the target state: succeeded, no wait, no slot released', async () => {
    const wait = jest.fn();
    const { ex } = executor({
      cached: doc(),
      wait: LIMITS,
      run: async () => ({
        output: 'start i-0abc: already running',
        target: {
          resource: 'instance i-0abc',
          state: 'running',
          before: 'running',
          already: true,
          wait,
        },
      }),
    });
    const releaseSlot = jest.fn();
    expect(await ex.execute(scheduled, { number: 1, releaseSlot })).toMatchObject({
      status: 'succeeded',
      outcome: { result: 'already', state: 'running', waited_ms: 0 },
    });
    expect(wait).not.toHaveBeenCalled();
    expect(releaseSlot).not.toHaveBeenCalled();
  });

  it('wait "false" (no limits): succeeded as "not waited", the waiter never called', async () => {
    const wait = jest.fn();
    const { ex } = executor({
      cached: doc(),
      wait: null,
      run: async () => ({
        output: 'stop requested',
        target: { resource: 'instance i-0abc', state: 'stopped', before: 'running', wait },
      }),
    });
    expect(await ex.execute(scheduled, first)).toMatchObject({
      status: 'succeeded',
      outcome: { result: 'not waited', target: 'stopped', before: 'running', state: null },
    });
    expect(wait).not.toHaveBeenCalled();
  });

  it('interruptWaits (shutdown) ends a wait: interrupted (not failed), the action said to be taken', async () => {
    let seen: AbortSignal | undefined;
    const { ex } = executor({
      cached: doc(),
      wait: LIMITS,
      run: async () => ({
        output: 'start requested',
        target: {
          resource: 'instance i-0abc',
          state: 'running',
          before: 'stopped',
          wait: (_limits, signal) =>
            new Promise<WaitEnd>((resolve) => {
              seen = signal;
              signal.addEventListener('abort', () =>
                resolve({
                  result: 'interrupted',
                  state: 'pending',
                  detail: (signal.reason as Error).message,
                }),
              );
            }),
        },
      }),
    });
    const running = ex.execute(scheduled, first);
    await until(() => seen !== undefined);
    ex.interruptWaits('minion is shutting down');
    const outcome = await running;
    expect(outcome).toMatchObject({
      status: 'interrupted',
      outcome: { result: 'interrupted', state: 'pending' },
    });
    expect(outcome.status === 'interrupted' && outcome.reason).toBe(
      'stopped waiting for instance i-0abc to reach running (last seen: pending): minion is shutting down; the action was taken; the next attempt checks what it reached',
    );
  });

  it('counts outcomes by runner type, and the time to the target state', async () => {
    const { ex, metrics } = actingExecutor({ result: 'reached', state: 'running' });
    const reached = async () =>
      (await metrics.outcomes.get()).values.find(
        (v) => v.labels.type === 'scripted' && v.labels.result === 'reached',
      )?.value ?? 0;
    const before = await reached();
    await ex.execute(scheduled, first);
    expect(await reached()).toBe(before + 1);
    const sum = (await metrics.timeToState.get()).values.find(
      (v) =>
        v.metricName === 'minion_time_to_target_state_seconds_sum' && v.labels.type === 'scripted',
    );
    expect(sum?.value).toBeGreaterThanOrEqual(71);
  });
});

async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Executor fencing (domain/fence.ts)', () => {
  const fenceOf = (holds: boolean, controller = new AbortController()) => ({
    signal: controller.signal,
    lost: undefined,
    check: async () => {
      if (!holds) throw new FencedError('held by another worker before this replica acted');
    },
  });

  it('a run whose claim another replica took is not started, and is interrupted saying why', async () => {
    let ran = false;
    const { ex } = executor({
      cached: doc(),
      run: async () => {
        ran = true;
        return 'acted';
      },
    });
    const outcome = await runFenced(fenceOf(false), () => ex.execute(scheduled, first));
    expect(ran).toBe(false);
    expect(outcome).toMatchObject({ status: 'interrupted' });
    expect((outcome as { reason: string }).reason).toContain(FENCED_PREFIX);
  });

  it("a claim lost during the run aborts the runner's signal and interrupts the run", async () => {
    const controller = new AbortController();
    const { ex, runner } = executor({
      cached: doc(),
      run: (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
    });
    const running = runFenced(fenceOf(true, controller), () => ex.execute(scheduled, first));
    await waitFor(() => runner.signal !== undefined);
    controller.abort(new FencedError('its lock could not be renewed'));
    const outcome = await running;
    expect(outcome).toMatchObject({ status: 'interrupted' });
    expect((outcome as { reason: string }).reason).toContain('its lock could not be renewed');
  });
});
