import { OutcomeRecord } from '../runners/outcome';
import { Occurrence } from './occurrence';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  delayMs: number;
}

/** An attempt started on a replica that died before it could record the outcome. */
export interface LostAttempt {
  number: number;
  replica: string;
  startedAt: string;
}

export interface Attempt {
  /** 1 for the first attempt; every start counts, including one a dead replica lost. */
  number: number;
  /**
   * The attempt has acted and now only waits for its resource's target state: its concurrency
   * slot may go to the next occurrence (within the queue's `maxWaiting`). Idempotent.
   */
  releaseSlot?: () => void;
}

interface OutcomeBase {
  /** When the attempt started (it may have waited in the queue before). */
  startedAt: Date;
  /** `details.runner` of the job, when the job was found. */
  runner?: string;
}

/** What one attempt came to. The executor says what happened; the queue decides what follows. */
export type Outcome = OutcomeBase &
  (
    | { status: 'succeeded'; output: string; requestId?: string; outcome?: OutcomeRecord }
    | {
        status: 'failed';
        error: string;
        permanent: boolean;
        requestId?: string;
        outcome?: OutcomeRecord;
      }
    /** `deliberate`: an operator's choice (a pause, a blackout), recorded but not alerted. */
    | { status: 'skipped'; reason: string; deliberate?: boolean }
    /** The job no longer exists: nothing to run, nothing to record. */
    | { status: 'dropped'; reason: string }
  );

/** An attempt and its outcome, with the queue's decision on a retry. */
export interface AttemptReport {
  occurrence: Occurrence;
  attempt: Attempt;
  outcome: Outcome;
  willRetry: boolean;
}

/**
 * What the queue hands its work to: `execute` runs one attempt and never throws; `report`
 * hears every attempt's outcome once the queue has decided on a retry; `lost` hears of an
 * attempt a dead replica had started (its outcome unknown).
 */
export interface OccurrenceConsumer {
  execute(occurrence: Occurrence, attempt: Attempt): Promise<Outcome>;
  report(report: AttemptReport): Promise<void>;
  lost(occurrence: Occurrence, lost: LostAttempt): Promise<void>;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is shutting down');
  }
}

/** The one retry rule, applied by both queues: failures that are not permanent, while attempts are left. */
export function willRetry(policy: RetryPolicy, outcome: Outcome, attempt: Attempt): boolean {
  return outcome.status === 'failed' && !outcome.permanent && attempt.number < policy.attempts;
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
  abstract enqueue(occurrences: Occurrence[]): Promise<string[]>;

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
