/** What the executor needs of `scheduler`: the runs' settings slice (DI token). */
export abstract class RunSettings {
  /** A run still going after this is aborted (its runner gets the abort signal) and fails. */
  abstract readonly runTimeoutMs: number;
  /** A sequence's step is tried this many times (`scheduler.attempts`), this far apart (`retryDelay`). */
  abstract readonly attempts: number;
  abstract readonly retryDelayMs: number;
}
