import { FleetSummary } from './fleet';
import { RunOutcome } from './outcome';

/**
 * Sequences: a job whose details name other jobs of its account, run in order, each step only
 * after the previous one reached its target state (or was there already).
 */

/** A step: a job of the sequence's account. */
export interface StepRef {
  group: string;
  id: string;
}

/** What a sequence runner hands the executor: the steps, and what a failing step does. */
export interface SequencePlan {
  steps: StepRef[];
  /** `stop` (default): the steps after a failed one are not run; `continue`: they are. */
  onFailure: 'stop' | 'continue';
}

/** Sequences may contain sequences, this deep at most (the sequence itself is level 1). */
export const MAX_SEQUENCE_DEPTH = 3;
export const MAX_STEPS = 20;

/** One step of a sequence's run, as the sequence's run record keeps it. */
export interface StepOutcome {
  /** From 1, in order. */
  step: number;
  /** `<group>/<id>` of the step's job. */
  job: string;
  /** The step's run id: its records are in the step job's own run history. */
  run_id: string;
  /**
   * succeeded / failed / skipped / interrupted (shutdown) as the step's last attempt; `not run` when an earlier step
   * failed and the sequence stops at a failure. A step a replica that died had finished is not
   * run again by the one that takes over: its outcome is the one recorded then.
   */
  status: 'succeeded' | 'failed' | 'skipped' | 'interrupted' | 'not run';
  attempts?: number;
  started_at?: string;
  finished_at?: string;
  /** From the step's start to its end (its action and its wait). */
  duration_ms?: number;
  outcome?: RunOutcome;
  fleet?: FleetSummary;
  /** Why it failed, was skipped, or was not run. */
  error?: string;
}

/** A step's record names the sequence run it belongs to. */
export interface SequenceLink {
  run_id: string;
  step: number;
}

/** The occurrence id of step `step` of sequence run `sequenceRunId`, for the step's job `ref`. */
export function stepOccurrenceSuffix(sequenceRunId: string, step: number): string {
  return `sequence-${sequenceRunId.slice(sequenceRunId.lastIndexOf('@') + 1)}-step-${step}`;
}
