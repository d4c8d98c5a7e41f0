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
  /** Whether a failure of this attempt will be retried (by the queue's policy). */
  retriesLeft: boolean;
  /** The previous attempt, when its replica died during it (found stalled). */
  lost?: LostAttempt;
}

/** Handles one attempt. Throwing asks for a retry unless the error is permanent (see isPermanent). */
export type OccurrenceHandler = (occurrence: Occurrence, attempt: Attempt) => Promise<void>;

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/**
 * Thrown by a handler when another occurrence of the same job is running elsewhere: the queue
 * puts the occurrence back to wait (after the retry delay) without using up an attempt.
 */
export class JobBusyError extends Error {
  constructor(readonly jobKey: string) {
    super(`job ${jobKey} is already running`);
  }
}

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is shutting down');
  }
}

/**
 * Port for the occurrence queue. Implementations: in-memory (default, one process) and BullMQ on
 * Redis (many replicas). Both: enqueue is idempotent by occurrence id (a duplicate is refused for
 * as long as the id is retained after it finished), delivery is at-least-once, retries follow one
 * RetryPolicy, errors with `permanent: true` are never retried, and JobBusyError means "wait".
 */
export abstract class JobQueue {
  /** Returns the ids actually added (duplicates are left out). */
  abstract enqueue(occurrences: Occurrence[]): Promise<string[]>;

  /** Starts consuming with at most `concurrency` handlers at once. */
  abstract start(handler: OccurrenceHandler, concurrency: number): Promise<void>;

  /**
   * Stops taking work and waits up to `timeoutMs` for running handlers. Returns how many
   * accepted-but-not-started occurrences this process drops (0 when the queue keeps them).
   */
  abstract stop(timeoutMs: number): Promise<{ dropped: string[]; stillRunning: number }>;

  abstract counts(): Promise<QueueCounts>;

  /** Throws when the queue's backend cannot take an occurrence right now (readiness). */
  async ping(): Promise<void> {}
}

export function isPermanent(err: unknown): boolean {
  return (err as { permanent?: unknown })?.permanent === true;
}
