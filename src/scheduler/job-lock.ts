/**
 * Port for "this job is running": executors never run two occurrences of one job at once. The
 * in-memory lock covers one process; the Redis lock covers every replica.
 */
export interface JobLease {
  release(): Promise<void>;
}

export abstract class JobLock {
  /** A lease, or null when the job is already running. `ttlMs` bounds a lease whose holder died. */
  abstract acquire(jobKey: string, ttlMs: number): Promise<JobLease | null>;
}

export class MemoryJobLock extends JobLock {
  private readonly held = new Set<string>();

  async acquire(jobKey: string): Promise<JobLease | null> {
    if (this.held.has(jobKey)) return null;
    this.held.add(jobKey);
    return { release: async () => void this.held.delete(jobKey) };
  }
}
