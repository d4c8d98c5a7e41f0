import { RunOutcomeResult } from './outcome';

/**
 * Fleets: a job whose details name its resources by a tag selector instead of an id acts on
 * whatever carries the tags at that minute. These are the types a fleet runner hands the
 * executor, and what the run record keeps of each resource.
 */

/** One resource a selector matched, as described before the action. */
export interface FleetMember {
  /** The resource's id (`i-0abc...`, a DB identifier, a group name, `cluster/service`). */
  id: string;
  /** Its state as described before the action; null when it could not be described. */
  before: string | null;
  /** Why it is left alone (the skip tag, in force), if it is. */
  skipped?: string;
  /** It was in the target state already: no call was made for it. */
  already?: boolean;
  /** The action on it failed (after retries of throttling): why. No wait follows. */
  error?: string;
  /** When the call that acted on it answered (epoch ms). */
  actedAt?: number;
}

/**
 * Describes the members still on their way: for each, its state and whether it reached the
 * target, is still on its way (`pending`), or went where the action cannot lead (`elsewhere`,
 * also a member that vanished). Called repeatedly by the executor until every member ended or
 * the wait limits end; `signal` aborts it (shutdown).
 */
export type FleetPoll = (
  pending: readonly string[],
  signal: AbortSignal,
) => Promise<Map<string, { verdict: 'reached' | 'pending' | 'elsewhere'; state: string | null }>>;

/** What a fleet action aimed at: every member, the state they should reach, how to poll them. */
export interface FleetTarget {
  /** `instance`, `database`, `group`, `service`: what a member is, in sentences. */
  kind: string;
  /** The selector as written (`Schedule=office-hours`). */
  selector: string;
  /** The state each acted-on member should reach. */
  state: string;
  members: FleetMember[];
  /** null: the job said `wait: "false"`, or nothing was acted on. */
  poll: FleetPoll | null;
}

/** How one resource of a fleet ended, as the run record keeps it. */
export interface ResourceOutcome {
  id: string;
  /**
   * reached, already, not waited, timeout, elsewhere, refused, interrupted (as `RunOutcome`),
   * or skipped (its skip tag), or failed (the action on it failed).
   */
  result: RunOutcomeResult | 'skipped' | 'failed';
  /** The state before the action. */
  before: string | null;
  /** The state last seen (the target, when reached). */
  state?: string | null;
  /** When the target state was seen (RFC 3339). */
  reached_at?: string;
  /** From the action to the end of its wait, in milliseconds. */
  ms?: number;
  /** failed: the error; skipped: the reason. */
  detail?: string;
}

/** A fleet run in numbers: what the selector matched and what became of it. */
export interface FleetSummary {
  selector: string;
  /** The state the acted-on resources were to reach. */
  target: string;
  matched: number;
  skipped: number;
  already: number;
  acted: number;
  reached: number;
  /** Acted on (or tried) and not at the target at the end: failed, timeout, elsewhere, ... */
  missed: number;
}

/** What a fleet dry run found: what the selector matches now. */
export interface FleetPreview {
  selector: string;
  matched: number;
  /** How many it would act on, and their ids (at most `FLEET_PREVIEW_IDS`). */
  acting: number;
  ids: string[];
  /** How many carry the skip tag, and which with why (at most `FLEET_PREVIEW_IDS`). */
  skipped: number;
  skipped_ids: { id: string; reason: string }[];
  already: number;
  /** The safety limit for this job, and whether it would refuse the run. */
  limit: number;
  refused: boolean;
}

export const FLEET_PREVIEW_IDS = 100;

/** Results a resource may end with and still count as where it should be. */
export const FLEET_SUCCESS: readonly ResourceOutcome['result'][] = [
  'reached',
  'already',
  'not waited',
  'skipped',
];
