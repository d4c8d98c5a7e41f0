import { pause } from '../common/pause';
import { SequenceProgress } from '../coordination/sequence-progress';
import { Attempt, AttemptOutcome, AttemptReport, RetryPolicy, willRetry } from '../domain/attempt';
import { JobKey } from '../domain/job-key';
import { Occurrence, stepOccurrence } from '../domain/occurrence';
import { SequencePlan, StepOutcome } from '../domain/sequence';

/** What running a sequence needs of the run path around it. */
export interface SequenceDeps {
  /** One attempt of a step, through the normal run path (the executor). */
  execute(occurrence: Occurrence, attempt: Attempt): Promise<AttemptOutcome>;
  /** Every step attempt becomes a record in the step job's own history (the recorder). */
  record(report: AttemptReport): Promise<void>;
  /** Resolves when every record so far is stored: a step's history is written before the next step. */
  flush(): Promise<void>;
  progress: SequenceProgress;
  retry: RetryPolicy;
  now(): Date;
  /** Aborted at shutdown: the step in progress ends, the sequence is interrupted at it. */
  signal: AbortSignal;
}

export interface SequenceEnd {
  steps: StepOutcome[];
  /** The step the sequence failed at (or was interrupted at), if one did. */
  failedAt?: StepOutcome;
  interrupted: boolean;
}

/**
 * Runs a sequence's steps in order, each through the normal run path (`execute`, then `record`:
 * its own run records, in its own history, linked to the sequence's run), each only after the
 * previous one reached its target or was there already. A failed attempt of a step is retried
 * as the queue would retry it (`willRetry`, `retry.delayMs` apart); a step that fails for good
 * stops the sequence (`onFailure: stop`: the steps after it are recorded `not run` with the
 * reason) or not (`continue`).
 *
 * Progress is saved after each finished step (`SequenceProgress`): a replica taking over a
 * sequence whose replica died resumes at the step in progress, and runs no finished step again.
 * The step in progress runs again from its start; every runner describes first, so an action
 * that was taken is found taken (`already`), not repeated.
 */
export async function runSequence(
  parent: Occurrence,
  plan: SequencePlan,
  deps: SequenceDeps,
): Promise<SequenceEnd> {
  const done = await deps.progress.load(parent.id);
  const steps: StepOutcome[] = [];
  let failedAt: StepOutcome | undefined;
  for (const [i, ref] of plan.steps.entries()) {
    const step = i + 1;
    const job: JobKey = { account: parent.account, group: ref.group, id: ref.id };
    const occurrence = stepOccurrence(parent, job, step, deps.now());
    if (failedAt && plan.onFailure === 'stop') {
      steps.push({
        step,
        job: `${ref.group}/${ref.id}`,
        run_id: occurrence.id,
        status: 'not run',
        error: `step ${failedAt.step} (${failedAt.job}) failed`,
      });
      continue;
    }
    const earlier = done.find(
      (d) => d.step === step && (d.status === 'succeeded' || d.status === 'skipped'),
    );
    const outcome = earlier ?? (await runStep(occurrence, step, `${ref.group}/${ref.id}`, deps));
    if (!earlier) await deps.flush();
    steps.push(outcome);
    if (outcome.status === 'interrupted' || (outcome.status === 'failed' && deps.signal.aborted)) {
      return {
        steps: notRun(plan, steps, parent, deps, step),
        failedAt: outcome,
        interrupted: true,
      };
    }
    if (outcome.status === 'failed') failedAt ??= outcome;
    else if (!earlier) {
      await deps.progress.save(
        parent.id,
        steps.filter((s) => s.status === 'succeeded' || s.status === 'skipped'),
      );
    }
  }
  if (!failedAt) await deps.progress.clear(parent.id).catch(() => undefined);
  return { steps, failedAt, interrupted: false };
}

/** A step's attempts, retried as the queue would, each recorded in the step's history. */
async function runStep(
  occurrence: Occurrence,
  step: number,
  job: string,
  deps: SequenceDeps,
): Promise<StepOutcome> {
  const started = deps.now();
  for (let number = 1; ; number++) {
    const attempt: Attempt = { number };
    const outcome = await deps.execute(occurrence, attempt);
    const retry = !deps.signal.aborted && willRetry(deps.retry, outcome, attempt);
    await deps.record({ occurrence, attempt, outcome, willRetry: retry });
    if (retry && (await pause(deps.retry.delayMs, deps.signal))) continue;
    const finished = deps.now();
    const base = {
      step,
      job,
      run_id: occurrence.id,
      attempts: number,
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      duration_ms: finished.getTime() - started.getTime(),
    };
    switch (outcome.status) {
      case 'succeeded':
        return { ...base, status: 'succeeded', outcome: outcome.outcome, fleet: outcome.fleet };
      case 'failed':
        return {
          ...base,
          status: 'failed',
          outcome: outcome.outcome,
          fleet: outcome.fleet,
          error: deps.signal.aborted ? `interrupted: ${outcome.error}` : outcome.error,
        };
      case 'skipped':
        return { ...base, status: 'skipped', error: outcome.reason };
      case 'interrupted':
        return {
          ...base,
          status: 'interrupted',
          outcome: outcome.outcome,
          fleet: outcome.fleet,
          error: outcome.reason,
        };
      case 'dropped':
        return { ...base, status: 'failed', error: `the step's job no longer exists` };
    }
  }
}

/** The steps after `step`, recorded not run: the sequence was interrupted at `step`. */
function notRun(
  plan: SequencePlan,
  steps: StepOutcome[],
  parent: Occurrence,
  deps: SequenceDeps,
  step: number,
): StepOutcome[] {
  for (const [i, ref] of plan.steps.entries()) {
    if (i + 1 <= step) continue;
    const job = { account: parent.account, group: ref.group, id: ref.id };
    steps.push({
      step: i + 1,
      job: `${ref.group}/${ref.id}`,
      run_id: stepOccurrence(parent, job, i + 1, deps.now()).id,
      status: 'not run',
      error: `the sequence was interrupted at step ${step}`,
    });
  }
  return steps;
}
