import { RunTrigger } from './occurrence';
import { FleetSummary, ResourceOutcome } from './fleet';
import { RunOutcome } from './outcome';
import { SequenceLink, StepOutcome } from './sequence';

export const RUN_STATUSES = ['succeeded', 'failed', 'skipped', 'missed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One attempt of one occurrence, as the run log keeps it (a SQLite row, a CloudWatch event):
 * built only by the RunRecorder. `jobs/dto/run-record.dto.ts` documents it for the API.
 */
export interface RunRecord {
  /** The occurrence id (`occurrenceId`): `<account>/<group>/<id>@<minute>` or `...@manual-<uuid>`. */
  run_id: string;
  trigger: RunTrigger;
  /** The minute the occurrence was scheduled for (RFC 3339, UTC); null for manual runs. */
  scheduled_for: string | null;
  /** From 1; 0 for a missed record. */
  attempt: number;
  status: RunStatus;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  /** `details.runner` of the job. */
  runner?: string;
  /** The runner's output (up to 64 KiB). */
  output?: string;
  /** Why the attempt failed, was skipped or missed. */
  error?: string;
  will_retry?: boolean;
  /** Cloud request id of the call the runner made. */
  request_id?: string;
  /** For runners acting on a cloud resource: the state it reached after the action, or why not. */
  outcome?: RunOutcome;
  /** For a job acting on a fleet (a tag selector): what it matched and what became of it. */
  fleet?: FleetSummary;
  /** For a fleet: each resource's outcome (id, state before, state reached or error, time). */
  resources?: ResourceOutcome[];
  /** Resources left out of `resources` to fit a CloudWatch event (those that succeeded, first). */
  resources_omitted?: number;
  /** For a sequence: each step's outcome, in order, and the time it took. */
  steps?: StepOutcome[];
  /** For a step run by a sequence: the sequence's run and which step this is. */
  sequence?: SequenceLink;
  /** For `missed`: how many occurrences were not run. */
  missed_count?: number;
  /** Which minion process ran the attempt (`<host>:<pid>`). */
  replica?: string;
}

/** What `log` in a job's get/update answer says about its run log. */
export interface RunLogInfo {
  type: 'file' | 'cloudwatch';
  /** File path, or the CloudWatch log group name (as the original's `log.name`). */
  name: string;
  /** Records kept; null where the store cannot count them cheaply (CloudWatch). */
  runs: number | null;
  bytes: number;
  last_run: { status: RunStatus; finished_at: string; run_id: string } | null;
  [extra: string]: unknown;
}
