import {
  Attempt,
  AttemptOutcome,
  AttemptReport,
  LostAttempt,
  LostVerdict,
} from '../domain/attempt';
import { Occurrence } from '../domain/occurrence';

/**
 * What the queue hands its work to: `execute` runs one attempt and never throws; `report`
 * hears every attempt's outcome once the queue has decided on a retry; `lost` hears of an
 * attempt a dead (or cut off) replica had started, and says whether its record settles it.
 */
export interface OccurrenceConsumer {
  execute(occurrence: Occurrence, attempt: Attempt): Promise<AttemptOutcome>;
  report(report: AttemptReport): Promise<void>;
  /**
   * Returns `settled` when the lost attempt's own record says it succeeded (it acted and wrote
   * its history, then lost Redis before the queue heard): the occurrence is done, not run again.
   * `ended` when the occurrence has been lost with a replica MAX_LOST_ATTEMPTS times (`lost.final`)
   * and that is on the record as its failure: not run again either. `unknown`: it runs again.
   */
  lost(occurrence: Occurrence, lost: LostAttempt): Promise<LostVerdict>;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** What the scheduler says about an `enqueue` call. */
export interface EnqueueOptions {
  /** Occurrences of the whole tick this call is part of (a queue may batch large ticks). */
  tickSize?: number;
}

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is shutting down');
  }
}

/**
 * Port for the occurrence queue. Implementations: in-memory (one process) and BullMQ on Redis
 * (many replicas). Each owns, for its mode: idempotent enqueue by occurrence id (a duplicate is
 * refused for as long as the id is retained after it finished), at-least-once delivery, the
 * retry decision (`willRetry`, reported with each attempt), and never running two occurrences
 * of one job at once.
 */
export abstract class JobQueue {
  /** Returns the ids actually added (duplicates are left out where the queue can tell). */
  abstract enqueue(occurrences: Occurrence[], options?: EnqueueOptions): Promise<string[]>;

  /**
   * Starts consuming with at most `concurrency` attempts acting at once, and up to `maxWaiting`
   * more that released their slot to wait for an outcome (`Attempt.releaseSlot`).
   */
  abstract start(
    consumer: OccurrenceConsumer,
    concurrency: number,
    maxWaiting?: number,
  ): Promise<void>;

  /**
   * Stops taking work and waits up to `timeoutMs` for running attempts. Returns the
   * accepted-but-not-started occurrences this process drops (none when the queue keeps them).
   */
  abstract stop(timeoutMs: number): Promise<{ dropped: string[]; stillRunning: number }>;

  abstract counts(): Promise<QueueCounts>;

  /** Throws when the queue's backend cannot take an occurrence right now (readiness). */
  async ping(): Promise<void> {}
}
