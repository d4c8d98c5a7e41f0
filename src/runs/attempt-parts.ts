import { JobDocument } from '../domain/job-document';
import { currentFence, FencedError } from '../domain/fence';
import { RunContext } from '../runners/runner';

/** The executor's small parts: a run's context, and the fence that stopped a run. */

/**
 * A run's context whose signal is made only if the runner asks for it (see startDeadline). A
 * class, so its getter is on the prototype: each run's context is a plain small object.
 */
export class LazyRunContext implements RunContext {
  readonly account: string;

  constructor(
    readonly job: JobDocument,
    private readonly signalOf: () => AbortSignal,
    readonly runId: string,
    readonly now: () => Date,
  ) {
    this.account = job.account;
  }

  get signal(): AbortSignal {
    return this.signalOf();
  }
}

/** The FencedError that stopped a run: thrown by a check, or wrapped by a runner (`cause`). */
export function fencedBy(err: unknown): FencedError | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as Error).cause, depth++) {
    if (e instanceof FencedError) return e;
  }
  return currentFence()?.signal.aborted
    ? (currentFence()?.signal.reason as FencedError)
    : undefined;
}
