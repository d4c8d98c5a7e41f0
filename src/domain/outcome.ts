/**
 * What a run did to its resource, beyond "the call returned": the types a runner hands the
 * executor after its action, and the outcome the run record keeps.
 */

/** How the wait for the target state ended (or why there was none). */
export const RUN_OUTCOME_RESULTS = [
  'reached',
  'already',
  'not waited',
  'timeout',
  'elsewhere',
  'refused',
  'interrupted',
] as const;
export type RunOutcomeResult = (typeof RUN_OUTCOME_RESULTS)[number];

/** The results that make a run `succeeded`: the state was reached, or never left. */
export const SUCCESSFUL_RESULTS: readonly RunOutcomeResult[] = ['reached', 'already', 'not waited'];

/** Bounds of one wait: from the runner's config, or the job's `wait_timeout`. */
export interface WaitLimits {
  timeoutMs: number;
  /** First delay between two describe calls; it doubles (with jitter) up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
}

/** How a wait ended, and the last state it saw. */
export interface WaitEnd {
  result: Extract<
    RunOutcomeResult,
    'reached' | 'timeout' | 'elsewhere' | 'refused' | 'interrupted'
  >;
  /** The resource's state as last described; null when no describe answered. */
  state: string | null;
  detail?: string;
}

/** Polls the resource until it reaches the target state, goes elsewhere, or the limits end. */
export type WaitForTarget = (limits: WaitLimits, signal: AbortSignal) => Promise<WaitEnd>;

/**
 * What the action aimed at: the state to reach, the state seen before it, and how to wait for
 * it. `already` says the resource was in the target state and no call was made.
 */
export interface TargetState {
  resource: string;
  state: string;
  before: string | null;
  already?: boolean;
  wait?: WaitForTarget;
}

/** The outcome as a run record keeps it (snake_case like the rest of the record). */
export interface RunOutcome {
  result: RunOutcomeResult;
  resource: string;
  target: string;
  before: string | null;
  /** The state last seen: the target when reached. */
  state: string | null;
  /** When the target state was seen (RFC 3339). */
  reached_at?: string;
  waited_ms: number;
  detail?: string;
}
