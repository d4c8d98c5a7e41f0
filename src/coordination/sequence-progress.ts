import { StepOutcome } from '../domain/sequence';

/**
 * Port for the progress of sequence runs: the steps a sequence run finished, kept where every
 * replica sees them, so a replica taking over a sequence whose replica died resumes at the step
 * in progress and runs no finished step again. In memory for one process (a sequence lost with
 * its process is lost with the in-memory queue anyway); on Redis for many.
 */
export abstract class SequenceProgress {
  /** The steps of `runId` finished so far, in order. */
  abstract load(runId: string): Promise<StepOutcome[]>;

  abstract save(runId: string, done: StepOutcome[]): Promise<void>;

  /** The run is over: its progress is of no further use. */
  abstract clear(runId: string): Promise<void>;
}

/** One process: a map, bounded. */
export class MemorySequenceProgress extends SequenceProgress {
  private readonly runs = new Map<string, StepOutcome[]>();

  async load(runId: string): Promise<StepOutcome[]> {
    return this.runs.get(runId) ?? [];
  }

  async save(runId: string, done: StepOutcome[]): Promise<void> {
    if (this.runs.size >= 10_000) this.runs.delete(this.runs.keys().next().value as string);
    this.runs.set(runId, [...done]);
  }

  async clear(runId: string): Promise<void> {
    this.runs.delete(runId);
  }
}
