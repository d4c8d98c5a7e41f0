import { AttemptOutcome } from '../domain/attempt';
import { manualOccurrence } from '../domain/occurrence';
import { JobCache } from '../job-cache/job-cache.service';
import { JobLog } from '../job-log/job-log';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Notifications } from '../notifications/notifications.service';
import { Clock } from '../common/clock';
import { newTestService } from '../../test/support/new-test-service';
import { fencedOutcome } from '../coordination/redis/fenced-outcome';
import { RunRecorder } from './run-recorder.service';
import { RunMetrics } from './runs.metrics';

const KEY = { account: 'a', group: 'g', id: 'j1' };
const occurrence = manualOccurrence(KEY, new Date('2026-12-07T07:00:00Z'));

function setup() {
  const metrics = new RunMetrics(new MetricsRegistry());
  missedMetrics = metrics;
  const { sut, mocks } = newTestService(RunRecorder, {
    jobLog: JobLog,
    metrics,
    notifications: Notifications,
    cache: JobCache,
    clock: Clock,
  });
  mocks.clock.set('2026-12-07T07:00:05Z');
  mocks.jobLog.append.mockResolvedValue();
  mocks.jobLog.appendWritten.mockResolvedValue();
  return { recorder: sut, ...mocks };
}

const startedAt = new Date('2026-12-07T07:00:00Z');
let missedMetrics: RunMetrics;

async function missedBy(reason: string): Promise<number> {
  const values = (await missedMetrics.missed.get()).values;
  return values.find((v) => v.labels.reason === reason)?.value ?? 0;
}

describe('RunRecorder', () => {
  it('a run a shutdown interrupted is on the record as interrupted, and never alerted', async () => {
    const m = setup();
    const outcome: AttemptOutcome = {
      status: 'interrupted',
      reason: 'stopped waiting for instance i-1 to reach running: minion is shutting down',
      startedAt,
      runner: 'instanceRunner',
    };
    await m.recorder.record({ occurrence, attempt: { number: 1 }, outcome, willRetry: true });
    await m.recorder.flush();
    expect(m.jobLog.append).toHaveBeenCalledWith(
      KEY,
      expect.objectContaining({
        status: 'interrupted',
        will_retry: true,
        error: outcome.reason,
        duration_ms: 5000,
      }),
    );
    expect(m.notifications.notify).not.toHaveBeenCalled();
    const runs = await m.metrics.runs.get();
    expect(runs.values).toContainEqual(
      expect.objectContaining({
        labels: { runner: 'instanceRunner', status: 'interrupted' },
        value: 1,
      }),
    );
  });

  it('a failed run is alerted, naming the job', async () => {
    const m = setup();
    const outcome: AttemptOutcome = {
      status: 'failed',
      error: 'EC2 start of i-1 failed: InsufficientInstanceCapacity',
      permanent: false,
      startedAt,
      runner: 'instanceRunner',
    };
    await m.recorder.record({ occurrence, attempt: { number: 1 }, outcome, willRetry: true });
    await m.recorder.flush();
    expect(m.notifications.notify).toHaveBeenCalledWith(
      expect.objectContaining({ type: 'run.failed', job: 'a/g/j1', final: false }),
    );
  });

  it("a sequence step's record names the sequence run it belongs to", async () => {
    const m = setup();
    const step = { ...occurrence, sequence: { run_id: 'a/s/seq@manual-1', step: 2 } };
    await m.recorder.record({
      occurrence: step,
      attempt: { number: 1 },
      outcome: { status: 'succeeded', output: 'ok', startedAt },
      willRetry: false,
    });
    await m.recorder.flush();
    expect(m.jobLog.append).toHaveBeenCalledWith(
      KEY,
      expect.objectContaining({ sequence: { run_id: 'a/s/seq@manual-1', step: 2 } }),
    );
  });

  describe('records after the work at hand (a minute boundary starts every run first)', () => {
    const succeeded = (id: string): AttemptOutcome => ({
      status: 'succeeded',
      output: id,
      startedAt,
    });
    const report = (id: string) => ({
      occurrence: { ...occurrence, id },
      attempt: { number: 1 },
      outcome: succeeded(id),
      willRetry: false,
    });

    it('holds the report until the current turn ends, then records it, finished when reported', async () => {
      const m = setup();
      await m.recorder.record(report('r1'));
      m.clock.set('2026-12-07T07:00:09Z');
      await m.recorder.record(report('r2'));
      expect(m.jobLog.append).not.toHaveBeenCalled();
      await new Promise((r) => setImmediate(r));
      const records = m.jobLog.append.mock.calls.map(([, r]) => r);
      // In the order reported (one job's history stays in order), each finished when reported.
      expect(records.map((r) => [r.run_id, r.finished_at, r.duration_ms])).toEqual([
        ['r1', '2026-12-07T07:00:05.000Z', 5000],
        ['r2', '2026-12-07T07:00:09.000Z', 9000],
      ]);
    });

    it('flush records what is held, and a read of the run metrics counts it', async () => {
      const m = setup();
      await m.recorder.record(report('r1'));
      const runs = (await m.metrics.runs.get()).values;
      expect(runs).toContainEqual(
        expect.objectContaining({ labels: { runner: 'unknown', status: 'succeeded' }, value: 1 }),
      );
      await m.recorder.record(report('r2'));
      await m.recorder.flush();
      expect(m.jobLog.append).toHaveBeenCalledTimes(2);
      expect(m.jobLog.flush).toHaveBeenCalled();
    });

    it('holds at most 10,000 reports: past that, records at once, behind the held ones', async () => {
      const m = setup();
      for (let i = 0; i < 10_000; i++) await m.recorder.record(report(`r${i}`));
      expect(m.jobLog.append).not.toHaveBeenCalled();
      await m.recorder.record(report('r10000'));
      expect(m.jobLog.append).toHaveBeenCalledTimes(10_001);
      expect(m.jobLog.append.mock.calls[10_000][1].run_id).toBe('r10000');
    });
  });

  describe('an attempt a replica lost (found stalled)', () => {
    const lost = { number: 1, replica: 'host:42', startedAt: '2026-12-07T07:00:01Z' };

    it('is settled by its own record of success: nothing written, nothing alerted', async () => {
      const m = setup();
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 1, status: 'succeeded' } as never,
      ]);
      expect(await m.recorder.lost(occurrence, lost)).toBe('settled');
      expect(m.jobLog.appendWritten).not.toHaveBeenCalled();
      expect(m.notifications.notify).not.toHaveBeenCalled();
    });

    /** The record a fenced attempt writes (fenced-outcome.ts), from the outcome it came to. */
    const fencedRecord = (outcome: AttemptOutcome) => {
      const fenced = fencedOutcome(outcome, 'the lock expired before this replica acted');
      const error = fenced.status === 'interrupted' ? fenced.reason : '';
      return { run_id: occurrence.id, attempt: 1, status: 'interrupted', error, will_retry: false };
    };

    it('is settled by its fenced record saying it had succeeded before it learnt it: not acted on again', async () => {
      // The replica paused past lockDuration right after acting, woke up, found its claim lost
      // and recorded so before another replica took the occurrence over.
      const m = setup();
      const succeeded = fencedRecord({
        status: 'succeeded',
        output: 'rebooted',
        startedAt: new Date(),
      });
      m.jobLog.list.mockResolvedValue([succeeded as never]);
      expect(await m.recorder.lost(occurrence, lost)).toBe('settled');
      expect(m.jobLog.appendWritten).not.toHaveBeenCalled();
      // One that had failed, or had not acted, leaves the occurrence to the replica taking over.
      const others: AttemptOutcome[] = [
        { status: 'failed', error: 'boom', permanent: false, startedAt: new Date() },
        { status: 'interrupted', reason: 'shutdown', startedAt: new Date() },
      ];
      for (const outcome of others) {
        m.jobLog.list.mockResolvedValue([fencedRecord(outcome) as never]);
        expect(await m.recorder.lost(occurrence, lost)).toBe('unknown');
      }
    });

    it('otherwise is on the record, outcome unknown, and runs again', async () => {
      const m = setup();
      m.cache.get.mockReturnValue(undefined);
      // Another attempt's success, or this attempt's failure, does not settle it.
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 2, status: 'succeeded' } as never,
        { run_id: occurrence.id, attempt: 1, status: 'failed', will_retry: false } as never,
        { run_id: occurrence.id, attempt: 2, status: 'failed', will_retry: true } as never,
      ]);
      expect(await m.recorder.lost(occurrence, lost)).toBe('unknown');
      expect(m.jobLog.appendWritten).toHaveBeenCalledWith(
        KEY,
        expect.objectContaining({ status: 'failed', will_retry: true, replica: 'host:42' }),
      );
    });

    it('already recorded as ending with a retry to come: runs again, no second record, no alert', async () => {
      // A batch's attempt that did not act (Redis did not answer its fence check) and recorded
      // so, the state of its batch left unwritten by the outage: not a replica that stopped.
      const m = setup();
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 1, status: 'interrupted', will_retry: true } as never,
      ]);
      expect(await m.recorder.lost(occurrence, lost)).toBe('unknown');
      expect(m.jobLog.appendWritten).not.toHaveBeenCalled();
      expect(m.notifications.notify).not.toHaveBeenCalled();
    });

    it('a final loss: on the record as the failure of the occurrence, alerted, once; the occurrence ended', async () => {
      const m = setup();
      m.cache.get.mockReturnValue(undefined);
      // Another attempt's records do not count: this one left none.
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 2, status: 'failed', will_retry: true } as never,
      ]);
      expect(await m.recorder.lost(occurrence, { ...lost, final: true })).toBe('ended');
      expect(m.jobLog.appendWritten).toHaveBeenCalledTimes(1);
      const record = m.jobLog.appendWritten.mock.calls[0][1];
      expect(record).toMatchObject({ status: 'failed', will_retry: false, replica: 'host:42' });
      expect(record.error).toContain('replicas stopped during its attempts 3 times');
      expect(m.notifications.notify).toHaveBeenCalledWith(expect.objectContaining({ final: true }));
      // A replica that wrote that record and died in turn: the next one writes nothing more.
      m.jobLog.list.mockResolvedValue([record as never]);
      expect(await m.recorder.lost(occurrence, { ...lost, final: true })).toBe('ended');
      expect(m.jobLog.appendWritten).toHaveBeenCalledTimes(1);
    });

    it('a final loss whose attempt was fenced (interrupted, will_retry false): its end still goes on the record', async () => {
      // The fenced attempt left the outcome to the replica that took over, which died too.
      const m = setup();
      m.cache.get.mockReturnValue(undefined);
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 1, status: 'interrupted', will_retry: false } as never,
      ]);
      expect(await m.recorder.lost(occurrence, { ...lost, final: true })).toBe('ended');
      expect(m.jobLog.appendWritten).toHaveBeenCalledWith(
        KEY,
        expect.objectContaining({ status: 'failed', will_retry: false }),
      );
    });

    it('a final loss of an attempt that ended expecting a retry (a shutdown interrupted it): settled by another run, nothing written', async () => {
      const m = setup();
      m.jobLog.list.mockResolvedValue([
        { run_id: occurrence.id, attempt: 1, status: 'interrupted', will_retry: true } as never,
      ]);
      expect(await m.recorder.lost(occurrence, { ...lost, final: true })).toBe('unknown');
      expect(m.jobLog.appendWritten).not.toHaveBeenCalled();
      expect(m.notifications.notify).not.toHaveBeenCalled();
    });

    it('a run log that cannot be read settles nothing', async () => {
      const m = setup();
      m.cache.get.mockReturnValue(undefined);
      m.jobLog.list.mockRejectedValue(new Error('CloudWatch unreachable'));
      expect(await m.recorder.lost(occurrence, lost)).toBe('unknown');
    });
  });

  it('counts missed occurrences by reason: catch-up window, previous run still running, dropped at shutdown', async () => {
    const { recorder } = setup();
    await recorder.missed(
      [
        { job: KEY, key: 'a/g/j1', first: 0, last: 120_000, count: 3, capped: false },
        { job: { ...KEY, id: 'j2' }, key: 'a/g/j2', first: 0, last: 0, count: 1, capped: false },
      ],
      15 * 60_000,
    );
    const outcome: AttemptOutcome = {
      status: 'skipped',
      reason: 'a previous run of this job was still in progress after 3600000 ms',
      missed: 'previous_run_running',
      startedAt,
    };
    await recorder.record({ occurrence, attempt: { number: 1 }, outcome, willRetry: false });
    // An operator's skip is no miss.
    const paused: AttemptOutcome = {
      status: 'skipped',
      reason: 'paused (maintenance)',
      deliberate: true,
      startedAt,
    };
    await recorder.record({
      occurrence,
      attempt: { number: 1 },
      outcome: paused,
      willRetry: false,
    });
    recorder.droppedAtShutdown(2);
    recorder.droppedAtShutdown(0);
    expect(await missedBy('catch_up_window')).toBe(4);
    expect(await missedBy('previous_run_running')).toBe(1);
    expect(await missedBy('dropped_at_shutdown')).toBe(2);
    const total = (await missedMetrics.missed.get()).values.reduce((n, v) => n + v.value, 0);
    expect(total).toBe(7);
  });
});
