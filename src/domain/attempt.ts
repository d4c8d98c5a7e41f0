import { Occurrence } from './occurrence';
import { FleetSummary, ResourceOutcome } from './fleet';
import { RunOutcome } from './outcome';
import { StepOutcome } from './sequence';

/**
 * One attempt of an occurrence and what it came to: the contract between the queue (which starts
 * attempts and decides retries) and the executor (which runs them), and the retry rule.
 */

/**
 * How long an attempt past its run timeout may take to say what it did: a fleet stops at the
 * limit and returns the resources it acted on, so the record (and the retry) knows them. An
 * attempt therefore lasts at most the run timeout plus this.
 */
export const RUN_ANSWER_GRACE_MS = 5_000;

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  delayMs: number;
}

/**
 * What the record of a lost attempt says is to be done with its occurrence: `settled` (its own
 * record says it succeeded), `ended` (a final loss, `LostAttempt.final`, on the record as the
 * occurrence's failure), `unknown` (it runs again).
 */
export type LostVerdict = 'settled' | 'ended' | 'unknown';

/** An attempt started on a replica that died before it could record the outcome. */
export interface LostAttempt {
  number: number;
  replica: string;
  startedAt: string;
  /**
   * The occurrence was lost with a replica MAX_LOST_ATTEMPTS times: its record is the last
   * (`will_retry: false`) and it is not run again.
   */
  final?: boolean;
}

/**
 * An occurrence whose replica stopped during its attempt this many times (the same poison run
 * killing each replica that takes it, say) ends with a failure record, alerted. BullMQ used to
 * give up there on its own, leaving no record. A lost attempt may never have acted (it waited
 * for an action slot), so losses below this run again whatever `scheduler.attempts` says.
 */
export const MAX_LOST_ATTEMPTS = 3;

export interface Attempt {
  /** 1 for the first attempt; every start counts, including one a dead replica lost. */
  number: number;
  /**
   * The attempt has acted and now only waits for its resource's target state: its concurrency
   * slot may go to the next occurrence (within the queue's `maxWaiting`). Idempotent.
   */
  releaseSlot?: () => void;
}

/** What a fleet run did to each resource it matched, and in numbers. */
interface FleetResult {
  fleet?: FleetSummary;
  resources?: ResourceOutcome[];
  /** For a sequence: each step's outcome, in order. */
  steps?: StepOutcome[];
}

interface OutcomeBase {
  /** When the attempt started (it may have waited in the queue before). */
  startedAt: Date;
  /** `details.runner` of the job, when the job was found. */
  runner?: string;
}

/**
 * What one attempt came to (not to be confused with `RunOutcome`, what happened to the resource,
 * which a succeeded or failed attempt may carry). The executor says what happened; the queue
 * decides what follows.
 */
export type AttemptOutcome = OutcomeBase &
  (
    | ({
        status: 'succeeded';
        output: string;
        requestId?: string;
        outcome?: RunOutcome;
      } & FleetResult)
    | ({
        status: 'failed';
        error: string;
        permanent: boolean;
        requestId?: string;
        outcome?: RunOutcome;
      } & FleetResult)
    /**
     * minion shut down while the attempt acted or waited (a deploy): neither failed nor succeeded.
     * Never alerted; settled by another attempt (another replica, or this one after its restart),
     * which describes the resource first and records what it reached.
     */
    | ({
        status: 'interrupted';
        reason: string;
        requestId?: string;
        outcome?: RunOutcome;
      } & FleetResult)
    /**
     * `deliberate`: an operator's choice (a pause, a blackout), recorded but not alerted.
     * `missed`: not run for a reason minion counts as a miss (`minion_occurrences_missed_total`).
     */
    | { status: 'skipped'; reason: string; deliberate?: boolean; missed?: MissReason }
    /** The job no longer exists: nothing to run, nothing to record. */
    | { status: 'dropped'; reason: string }
  );

/** An attempt and its outcome, with the queue's decision on a retry. */
export interface AttemptReport {
  occurrence: Occurrence;
  attempt: Attempt;
  outcome: AttemptOutcome;
  willRetry: boolean;
}

/**
 * The one retry rule, applied by both queues: failures that are not permanent, while attempts are
 * left; and an interrupted attempt always (another attempt settles it: see `AttemptOutcome`).
 */
export function willRetry(policy: RetryPolicy, outcome: AttemptOutcome, attempt: Attempt): boolean {
  if (outcome.status === 'interrupted') return true;
  return outcome.status === 'failed' && !outcome.permanent && attempt.number < policy.attempts;
}

/** Why an occurrence that should have run did not (the label of the missed counter). */
export type MissReason = 'catch_up_window' | 'previous_run_running' | 'dropped_at_shutdown';
