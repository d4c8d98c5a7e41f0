import { Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { settledWithin } from '../../common/timeout';
import { JobQueue, OccurrenceConsumer, QueueClosedError, QueueCounts } from '../job-queue';
import { Occurrence } from '../../domain/occurrence';
import { Interrupted, InterruptedRuns } from './interrupted-runs';
import { RetryPolicy, willRetry, AttemptOutcome } from '../../domain/attempt';

interface Item {
  occurrence: Occurrence;
  attempt: number;
}

/** How long a finished occurrence id is remembered, so a late duplicate enqueue is still refused. */
export const FINISHED_ID_RETENTION_MS = 60 * 60_000;

/**
 * Default queue: in this process's memory. FIFO with bounded concurrency; occurrences of a job
 * that is running wait (parked) until it finishes, so one job never runs twice at once and a
 * catch-up batch runs in order (the only place that prevents overlap in this mode); retries
 * after a pause as `willRetry` decides; ids deduplicated while queued or running and for an hour
 * after. Occurrences accepted but not started are lost if the process stops: shutdown reports them.
 * Attempts a shutdown interrupted are kept (`InterruptedRuns`) and settled after the restart: run
 * again (describing first) when the restart comes within `settleWithinMs`, else recorded as not
 * settled.
 */
export class MemoryJobQueue extends JobQueue {
  private readonly logger = new Logger(MemoryJobQueue.name);
  private pending: (Item | undefined)[] = [];
  private head = 0;
  /** Occurrences released by a finished run of their job: they go before `pending`. */
  private readonly unparked: Item[] = [];
  private readonly parked = new Map<string, Item[]>();
  private parkedCount = 0;
  private readonly activeJobs = new Set<string>();
  /** id -> epoch ms until which it is remembered (Infinity while queued, delayed or running). */
  private readonly known = new Map<string, number>();
  private readonly delayed = new Map<NodeJS.Timeout, Item>();
  private consumer?: OccurrenceConsumer;
  private concurrency = 1;
  private maxWaiting = 0;
  /** Attempts holding a concurrency slot. */
  private active = 0;
  /** Attempts that gave their slot back to wait for an outcome. */
  private waitingForOutcome = 0;
  private failed = 0;
  private closed = false;
  private enqueuesSincePrune = 0;
  private idleWaiters: (() => void)[] = [];
  /** Interrupted by the shutdown under way: saved once the running attempts are done. */
  private readonly interrupted: Interrupted[] = [];

  constructor(
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
    private readonly settle?: { runs: InterruptedRuns; withinMs: number },
  ) {
    super();
  }

  async enqueue(occurrences: Occurrence[]): Promise<string[]> {
    if (this.closed) throw new QueueClosedError();
    this.pruneNow();
    const added: string[] = [];
    for (const occurrence of occurrences) {
      if (this.isKnown(occurrence.id)) continue;
      this.known.set(occurrence.id, Infinity);
      this.pending.push({ occurrence, attempt: 1 });
      added.push(occurrence.id);
    }
    this.pump();
    return added;
  }

  async start(consumer: OccurrenceConsumer, concurrency: number, maxWaiting = 0): Promise<void> {
    this.consumer = consumer;
    this.concurrency = concurrency;
    this.maxWaiting = maxWaiting;
    await this.settleInterrupted(consumer);
    this.pump();
  }

  /**
   * The attempts the last shutdown interrupted: run again (the runner describes first, so an
   * action that was taken is found taken) if the restart came soon enough, else on the record.
   */
  private async settleInterrupted(consumer: OccurrenceConsumer): Promise<void> {
    const runs = await this.settle?.runs.takeAll().catch((err: Error) => {
      this.logger.error(`interrupted runs not read: ${err.message}`);
      return [];
    });
    const now = this.clock.now();
    for (const r of runs ?? []) {
      if (now.getTime() - r.at <= (this.settle?.withinMs ?? 0)) {
        this.known.set(r.occurrence.id, Infinity);
        this.pending.push({ occurrence: r.occurrence, attempt: r.attempt + 1 });
        continue;
      }
      const minutes = Math.round((now.getTime() - r.at) / 60_000);
      const reason = `not settled: minion restarted ${minutes} min after this occurrence was interrupted, too late to act on it; what the resource reached was not checked`;
      const outcome: AttemptOutcome = { status: 'interrupted', reason, startedAt: now };
      const attempt = { number: r.attempt + 1 };
      await consumer.report({ occurrence: r.occurrence, attempt, outcome, willRetry: false });
    }
  }

  async stop(timeoutMs: number): Promise<{ dropped: string[]; stillRunning: number }> {
    this.closed = true;
    const waiting = [
      ...this.unparked,
      ...this.pending.slice(this.head).filter((i): i is Item => !!i),
      ...[...this.parked.values()].flat(),
      ...this.delayed.values(),
    ];
    for (const timer of this.delayed.keys()) clearTimeout(timer);
    this.delayed.clear();
    this.pending = [];
    this.head = 0;
    this.unparked.length = 0;
    this.parked.clear();
    this.parkedCount = 0;
    if (this.running() > 0) {
      await settledWithin(new Promise<void>((r) => this.idleWaiters.push(r)), timeoutMs);
    }
    await this.settle?.runs.save(this.interrupted.splice(0)).catch((err: Error) => {
      this.logger.error(`interrupted runs not kept for the restart: ${err.message}`);
    });
    return { dropped: waiting.map((i) => i.occurrence.id), stillRunning: this.running() };
  }

  async counts(): Promise<QueueCounts> {
    return {
      waiting: this.pending.length - this.head + this.unparked.length + this.parkedCount,
      active: this.running(),
      delayed: this.delayed.size,
      failed: this.failed,
    };
  }

  private next(): Item | undefined {
    if (this.unparked.length > 0) return this.unparked.shift();
    while (this.head < this.pending.length) {
      const item = this.pending[this.head];
      this.pending[this.head++] = undefined;
      if (item) return item;
    }
    return undefined;
  }

  private pump(): void {
    while (this.consumer && !this.closed && this.active < this.concurrency) {
      const item = this.next();
      if (!item) break;
      const jobKey = item.occurrence.key;
      if (this.activeJobs.has(jobKey)) {
        this.park(jobKey, item);
        continue;
      }
      this.run(jobKey, item);
    }
    // Drop consumed slots now and then so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  private park(jobKey: string, item: Item): void {
    const list = this.parked.get(jobKey);
    if (list) list.push(item);
    else this.parked.set(jobKey, [item]);
    this.parkedCount++;
  }

  private unpark(jobKey: string): void {
    const list = this.parked.get(jobKey);
    if (!list) return;
    this.unparked.push(list.shift() as Item);
    this.parkedCount--;
    if (list.length === 0) this.parked.delete(jobKey);
  }

  private running(): number {
    return this.active + this.waitingForOutcome;
  }

  private run(jobKey: string, item: Item): void {
    this.active++;
    this.activeJobs.add(jobKey);
    let released = false;
    // The job stays in activeJobs while it waits: its next occurrence still waits its turn.
    const releaseSlot = () => {
      if (released || this.waitingForOutcome >= this.maxWaiting) return;
      released = true;
      this.active--;
      this.waitingForOutcome++;
      this.pump();
    };
    void this.attempt(item, releaseSlot).finally(() => {
      if (released) this.waitingForOutcome--;
      else this.active--;
      this.activeJobs.delete(jobKey);
      this.unpark(jobKey);
      if (this.running() === 0) this.idleWaiters.splice(0).forEach((r) => r());
      this.pump();
    });
  }

  private async attempt(item: Item, releaseSlot: () => void): Promise<void> {
    const consumer = this.consumer as OccurrenceConsumer;
    const attempt = { number: item.attempt, releaseSlot };
    let outcome: AttemptOutcome;
    try {
      outcome = await consumer.execute(item.occurrence, attempt);
    } catch (err) {
      // The consumer promises outcomes, never errors; a bug there is one retryable failure.
      outcome = {
        status: 'failed',
        error: (err as Error).message,
        permanent: false,
        startedAt: this.clock.now(),
      };
    }
    // Interrupted at shutdown: settled after the restart, when a file keeps it.
    const settleLater = this.closed && outcome.status === 'interrupted' && !!this.settle;
    const retry = (!this.closed && willRetry(this.policy, outcome, attempt)) || settleLater;
    try {
      await consumer.report({ occurrence: item.occurrence, attempt, outcome, willRetry: retry });
    } catch (err) {
      this.logger.error(`report of ${item.occurrence.id}: ${(err as Error).message}`);
    }
    if (settleLater) {
      const at = this.clock.now().getTime();
      this.interrupted.push({ occurrence: item.occurrence, attempt: item.attempt, at });
      return;
    }
    if (retry) return this.later({ occurrence: item.occurrence, attempt: item.attempt + 1 });
    if (outcome.status === 'failed') this.failed++;
    this.finish(item.occurrence.id);
  }

  private later(item: Item): void {
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.pending.push(item);
      this.pump();
    }, this.policy.delayMs);
    this.delayed.set(timer, item);
  }

  private finish(id: string): void {
    this.known.set(id, this.clock.now().getTime() + FINISHED_ID_RETENTION_MS);
  }

  private isKnown(id: string): boolean {
    const until = this.known.get(id);
    return until !== undefined && until > this.clock.now().getTime();
  }

  /** Forgets finished ids past their retention, every 1000 enqueues. */
  private pruneNow(): void {
    if (++this.enqueuesSincePrune < 1000) return;
    this.enqueuesSincePrune = 0;
    const now = this.clock.now().getTime();
    for (const [id, until] of this.known) if (until <= now) this.known.delete(id);
  }
}
