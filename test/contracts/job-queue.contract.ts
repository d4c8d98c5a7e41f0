import { waitFor } from '../support/manual-clock';
import { JobQueue, OccurrenceConsumer } from '../../src/coordination/job-queue';
import { Occurrence, scheduledOccurrence } from '../../src/domain/occurrence';
import {
  Attempt,
  AttemptReport,
  AttemptOutcome,
  LostAttempt,
  LostVerdict,
} from '../../src/domain/attempt';

const MINUTE_0 = Date.parse('2026-01-05T10:00:00Z');

/** An occurrence of job `id` for minute 10:0<minute>, enqueued now (waiting time is real). */
export function occurrenceOf(id: string, minute = 0, account = 'a'): Occurrence {
  const job = { account, group: 'g', id };
  return scheduledOccurrence(job, `${account}/g/${id}`, MINUTE_0 + minute * 60_000, new Date());
}

/** A consumer that answers by job id and records what the queue did. */
export class ScriptConsumer implements OccurrenceConsumer {
  readonly executed: { id: string; attempt: number }[] = [];
  readonly reports: AttemptReport[] = [];
  running = new Map<string, number>();
  peakPerJob = 0;
  peak = 0;
  private active = 0;

  constructor(
    private readonly outcome: (
      o: Occurrence,
      a: Attempt,
    ) => AttemptOutcome | Promise<AttemptOutcome>,
  ) {}

  async execute(o: Occurrence, attempt: Attempt): Promise<AttemptOutcome> {
    this.executed.push({ id: o.id, attempt: attempt.number });
    const same = (this.running.get(o.key) ?? 0) + 1;
    this.running.set(o.key, same);
    this.peakPerJob = Math.max(this.peakPerJob, same);
    this.peak = Math.max(this.peak, ++this.active);
    try {
      return await this.outcome(o, attempt);
    } finally {
      this.active--;
      this.running.set(o.key, (this.running.get(o.key) ?? 1) - 1);
    }
  }

  async report(report: AttemptReport): Promise<void> {
    this.reports.push(report);
  }

  /** The lost attempts the queue reported, in order. */
  readonly lostAttempts: { id: string; lost: LostAttempt }[] = [];

  /** As the run recorder with nothing on record: the last attempt lost ends the occurrence. */
  async lost(o: Occurrence, lost: LostAttempt): Promise<LostVerdict> {
    this.lostAttempts.push({ id: o.id, lost });
    return lost.final ? 'ended' : 'unknown';
  }

  reportsOf(o: Occurrence): [number, string, boolean][] {
    return this.reports
      .filter((r) => r.occurrence.id === o.id)
      .map((r) => [r.attempt.number, r.outcome.status, r.willRetry]);
  }
}

export const succeeded = (): AttemptOutcome => ({
  status: 'succeeded',
  output: 'ok',
  startedAt: new Date(),
});
export const failedWith = (permanent: boolean): AttemptOutcome => ({
  status: 'failed',
  error: permanent ? 'denied' : 'throttled',
  permanent,
  startedAt: new Date(),
});

/**
 * The behaviour every JobQueue must have (in-memory and BullMQ). Each implementation's spec calls
 * this with a factory giving a fresh queue with attempts 3, retry delay 10 ms, and a cleanup.
 */
export function describeJobQueueContract(
  name: string,
  setup: () => Promise<{ queue: JobQueue; cleanup: () => Promise<void> }>,
): void {
  describe(`${name}: JobQueue contract`, () => {
    let queue: JobQueue;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ queue, cleanup } = await setup());
    });

    afterEach(async () => {
      await queue.stop(1000);
      await cleanup();
    });

    const settled = (consumer: ScriptConsumer, reports: number) =>
      waitFor(async () => {
        const c = await queue.counts();
        return consumer.reports.length >= reports && c.waiting + c.active + c.delayed === 0;
      });

    it('runs an occurrence once, however often it is enqueued', async () => {
      const consumer = new ScriptConsumer(succeeded);
      await queue.start(consumer, 4);
      await queue.enqueue([occurrenceOf('j1'), occurrenceOf('j1')]);
      await queue.enqueue([occurrenceOf('j1')]);
      await settled(consumer, 1);
      await queue.enqueue([occurrenceOf('j1')]);
      await new Promise((r) => setTimeout(r, 50));
      await settled(consumer, 1);
      expect(consumer.executed).toEqual([{ id: occurrenceOf('j1').id, attempt: 1 }]);
      expect(consumer.reportsOf(occurrenceOf('j1'))).toEqual([[1, 'succeeded', false]]);
    });

    it('decides retries itself: a failure is retried while attempts are left, saying so each time', async () => {
      const consumer = new ScriptConsumer((o) => failedWith(o.jobId === 'denied'));
      await queue.start(consumer, 4);
      await queue.enqueue([occurrenceOf('flaky'), occurrenceOf('denied')]);
      await settled(consumer, 4);
      expect(consumer.reportsOf(occurrenceOf('flaky'))).toEqual([
        [1, 'failed', true],
        [2, 'failed', true],
        [3, 'failed', false],
      ]);
      expect(consumer.reportsOf(occurrenceOf('denied'))).toEqual([[1, 'failed', false]]);
    });

    it('never runs two occurrences of one job at once, while other jobs run alongside', async () => {
      const consumer = new ScriptConsumer(async () => {
        await new Promise((r) => setTimeout(r, 30));
        return succeeded();
      });
      await queue.start(consumer, 8);
      await queue.enqueue([
        occurrenceOf('same', 1),
        occurrenceOf('same', 2),
        occurrenceOf('other', 1),
        occurrenceOf('same', 3),
      ]);
      await settled(consumer, 4);
      expect(consumer.peakPerJob).toBe(1);
      expect(consumer.peak).toBeGreaterThanOrEqual(2);
      expect(consumer.executed.filter((e) => e.id.includes('/same@'))).toHaveLength(3);
    });

    it('an attempt waiting for its outcome gives its slot to the next job, not to its own job', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const consumer = new ScriptConsumer(async (o, attempt) => {
        if (!o.id.includes('/waits@')) return succeeded();
        attempt.releaseSlot?.(); // acted; now only waits for the resource's state
        await gate;
        return succeeded();
      });
      await queue.start(consumer, 1, 4);
      await queue.enqueue([
        occurrenceOf('waits', 1),
        occurrenceOf('next'),
        occurrenceOf('waits', 2),
      ]);
      // With one slot, `next` runs only because the waiting attempt gave its slot back.
      await waitFor(() => consumer.reports.some((r) => r.occurrence.id.includes('/next@')));
      // The same job's next occurrence still waits for the first to end.
      expect(consumer.executed.filter((e) => e.id.includes('/waits@'))).toHaveLength(1);
      release();
      await settled(consumer, 3);
      expect(consumer.peakPerJob).toBe(1);
    });

    it('when every running attempt waits, new occurrences still start (one slot, three waits)', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const consumer = new ScriptConsumer(async (o, attempt) => {
        if (!o.id.includes('/w')) return succeeded();
        attempt.releaseSlot?.();
        await gate;
        return succeeded();
      });
      await queue.start(consumer, 1, 4);
      await queue.enqueue([
        occurrenceOf('w1'),
        occurrenceOf('w2'),
        occurrenceOf('w3'),
        occurrenceOf('quick'),
      ]);
      await waitFor(() => consumer.reports.some((r) => r.occurrence.id.includes('/quick@')));
      expect(consumer.executed).toHaveLength(4);
      release();
      await settled(consumer, 4);
    });

    it('without room to wait (maxWaiting 0), a waiting attempt keeps its slot', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const consumer = new ScriptConsumer(async (o, attempt) => {
        if (!o.id.includes('/waits@')) return succeeded();
        attempt.releaseSlot?.();
        await gate;
        return succeeded();
      });
      await queue.start(consumer, 1, 0);
      await queue.enqueue([occurrenceOf('waits'), occurrenceOf('next')]);
      await waitFor(() => consumer.executed.length === 1);
      // Give the queue a chance to (wrongly) start `next`: the waiting attempt holds the slot.
      await new Promise((r) => setTimeout(r, 200));
      expect(consumer.executed).toHaveLength(1);
      release();
      await settled(consumer, 2);
    });

    it('counts what it holds, and refuses work once stopped', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const consumer = new ScriptConsumer(async () => {
        await gate;
        return succeeded();
      });
      await queue.start(consumer, 1);
      await queue.enqueue([occurrenceOf('a1'), occurrenceOf('a2')]);
      await waitFor(async () => (await queue.counts()).active === 1);
      expect((await queue.counts()).waiting).toBe(1);
      release();
      await settled(consumer, 2);
      await queue.stop(1000);
      await expect(queue.enqueue([occurrenceOf('late')])).rejects.toThrow('shutting down');
    });
  });
}
