/** What the job cache needs of `scheduler`: its settings slice (DI token). */
export abstract class JobCacheSettings {
  /** Parallel repository reads while loading. */
  abstract readonly loadConcurrency: number;
}
