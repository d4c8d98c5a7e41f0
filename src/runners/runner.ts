import { JobDocument } from '../domain/job-document';
import { DryRunReport } from '../domain/dry-run';
import { FleetTarget } from '../domain/fleet';
import { SequencePlan, StepRef } from '../domain/sequence';
import { TargetState, WaitLimits } from '../domain/outcome';
import { ResourceAction } from '../domain/resource-action';

/**
 * What a run produced: text for the run history, the cloud request id when there is one, and
 * for a runner acting on a cloud resource the state it aimed at (the executor waits for it).
 */
export interface RunResult {
  output: string;
  requestId?: string;
  target?: TargetState;
  /** For a job naming its resources by tag: every resource matched, and how to poll them. */
  fleet?: FleetTarget;
  /** For a sequence: the jobs the executor runs in order, each through the normal run path. */
  sequence?: SequencePlan;
}

export interface RunContext {
  account: string;
  job: JobDocument;
  /** Aborted when the run must stop (shutdown, timeout). */
  signal: AbortSignal;
  /** The occurrence id, the same for every attempt: usable as an idempotency token. */
  runId?: string;
  /** Now, as minion's clock says (a skip tag's `until` is compared with it); default the system's. */
  now?: () => Date;
}

/**
 * One configured runner (an entry of `jobRunners`). Each type reads a job's `details` into the
 * typed parameters it needs (`parseDetails`, throwing InvalidFieldError naming
 * `job.details.<key>`): when the job is created or updated, and once before each run. `run` gets
 * those parameters, never the raw strings, and returns output text or throws RunnerError (with
 * `permanent` when a retry cannot help).
 */
export abstract class Runner<D = unknown> {
  constructor(readonly name: string) {}

  abstract readonly type: string;

  abstract parseDetails(details: Record<string, string>): D;

  abstract run(ctx: RunContext, details: D): Promise<string | RunResult>;

  /**
   * How long to wait for the target state after `run`, read from the job's details (`wait`,
   * `wait_timeout`) and the runner's config; null: no wait. Runner types that change no cloud
   * resource have nothing to wait for.
   */
  waitLimits(_details: Record<string, string>): WaitLimits | null {
    return null;
  }

  /**
   * The resource a job with these details acts on, and what it does to it: what the schedule
   * view compares to find conflicts, and what dry runs and sequences report. null (the default):
   * the runner acts on no shared resource (the dummy runner; a task runner starts new tasks).
   */
  actsOn(_details: D): ResourceAction | null {
    return null;
  }

  /**
   * Other jobs of the account a job with these details runs (a sequence's steps). The API
   * checks them when the job is saved (they exist, the account may run them, the key too, no
   * sequence reaches itself) and refuses to delete one while an enabled job names it.
   */
  references(_details: D): StepRef[] {
    return [];
  }

  /**
   * What `run` would do now, found without doing it: the resource described, the permissions
   * checked where the service allows it. No side effect. Runner types that touch nothing say so.
   */
  async dryRun(_ctx: RunContext, _details: D): Promise<DryRunReport> {
    return { state: null, would: `run the ${this.type} runner ${this.name}`, checks: [] };
  }
}

/** A runner with the parameters it parsed from one job's details, ready to run. */
export interface ParsedRun<D = unknown> {
  runner: Runner<D>;
  details: D;
  /** Bounds of the wait for the target state; null when the job or its runner waits for none. */
  wait: WaitLimits | null;
}
