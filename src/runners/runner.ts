import { JobDocument } from '../repository/job-document';

/** What a run produced: text for the run history, and the cloud request id when there is one. */
export interface RunResult {
  output: string;
  requestId?: string;
}

export interface RunContext {
  account: string;
  job: JobDocument;
  /** Aborted when the run must stop (shutdown, timeout). */
  signal: AbortSignal;
  /** The occurrence id, the same for every attempt: usable as an idempotency token. */
  runId?: string;
}

/**
 * One configured runner (an entry of `jobRunners`). Each type validates a job's `details` when
 * the job is created or updated (throwing InvalidFieldError naming `job.details.<key>`) and runs
 * it, returning output text or throwing RunnerError (with `permanent` when a retry cannot help).
 */
export abstract class Runner {
  constructor(readonly name: string) {}

  abstract readonly type: string;

  abstract validate(details: Record<string, string>): void;

  abstract run(ctx: RunContext): Promise<string | RunResult>;
}
