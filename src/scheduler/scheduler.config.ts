import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsDuration } from '../common/validators/is-duration.validator';
import { parseDuration } from '../common/duration';

/** `scheduler`: minion's additions for the scheduling engine (all optional). */
export class SchedulerOptions {
  /** Missed minutes younger than this are still run after downtime; older ones are recorded as missed. */
  @IsOptional()
  @IsDuration()
  catchUpWindow?: string;

  /** Runs executing at once in this process. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrency?: number;

  /**
   * Runs waiting for their resource's target state (after the action) at once in this process.
   * They hold none of the `concurrency` slots; past this many, a wait holds its slot. Default 256.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  maxWaiting?: number;

  /** Attempts per occurrence, the first included. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  attempts?: number;

  /** Pause between attempts. */
  @IsOptional()
  @IsDuration()
  retryDelay?: string;

  /** A run still going after this is aborted (its runner gets the abort signal) and fails. */
  @IsOptional()
  @IsDuration()
  runTimeout?: string;

  /**
   * On SIGTERM, how long readiness answers 503 while the API keeps serving, before minion stops
   * taking occurrences (the time a load balancer needs to stop sending requests). Default "5s".
   */
  @IsOptional()
  @IsDuration()
  drainDelay?: string;

  /** On SIGTERM, how long in-flight runs may take to finish before they are aborted. */
  @IsOptional()
  @IsDuration()
  shutdownTimeout?: string;

  /** Parallel repository reads while loading the job cache. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  loadConcurrency?: number;

  /**
   * With several replicas, one enqueues each tick's occurrences; the others check this much
   * later that it did, and enqueue them themselves if not (the enqueuer died). Default "5s".
   */
  @IsOptional()
  @IsDuration()
  enqueueTakeover?: string;

  /** How many runs each job's file run log keeps at least (older ones are trimmed). */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(1_000_000)
  keepRuns?: number;
}

/**
 * `scheduler`, resolved with defaults: the scheduler's settings slice (DI token). Some values
 * go to other features' slices too (config/settings.ts): the retry policy and run timeout to
 * coordination and runs, `loadConcurrency` to the job cache, `keepRuns` to the run log.
 */
export abstract class SchedulerSettings {
  abstract readonly catchUpWindowMs: number;
  abstract readonly concurrency: number;
  abstract readonly maxWaiting: number;
  abstract readonly attempts: number;
  abstract readonly retryDelayMs: number;
  abstract readonly runTimeoutMs: number;
  abstract readonly shutdownTimeoutMs: number;
  abstract readonly drainDelayMs: number;
  abstract readonly loadConcurrency: number;
  abstract readonly keepRuns: number;
  abstract readonly enqueueTakeoverMs: number;
  /** How often every job is reloaded from the repository (its `refreshInterval`). */
  abstract readonly refreshIntervalMs: number;
}

export function schedulerSettings(
  s: SchedulerOptions = {},
  refreshIntervalMs: number,
): SchedulerSettings {
  // A zero duration means the default, except the drain delay, which "0s" turns off.
  const ms = (text: string | undefined, fallback: number) =>
    (text && parseDuration(text)) || fallback;
  return {
    catchUpWindowMs: ms(s.catchUpWindow, 15 * 60_000),
    concurrency: s.concurrency ?? 16,
    maxWaiting: s.maxWaiting ?? 256,
    attempts: s.attempts ?? 3,
    retryDelayMs: ms(s.retryDelay, 5_000),
    runTimeoutMs: ms(s.runTimeout, 5 * 60_000),
    shutdownTimeoutMs: ms(s.shutdownTimeout, 30_000),
    drainDelayMs: s.drainDelay === undefined ? 5_000 : (parseDuration(s.drainDelay) ?? 5_000),
    loadConcurrency: s.loadConcurrency ?? 32,
    keepRuns: s.keepRuns ?? 1000,
    enqueueTakeoverMs: ms(s.enqueueTakeover, 5_000),
    refreshIntervalMs,
  };
}
