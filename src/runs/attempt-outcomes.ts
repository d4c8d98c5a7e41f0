import { InvalidFieldError, RunnerError } from '../common/errors';
import { AttemptOutcome } from '../domain/attempt';
import { FLEET_SUCCESS } from '../domain/fleet';
import { RunOutcome, SUCCESSFUL_RESULTS, WaitLimits } from '../domain/outcome';
import { SequencePlan } from '../domain/sequence';
import { FleetEnd, fleetSentence } from './await-fleet';
import { outcomeError } from './await-target';
import { SequenceEnd } from './run-sequence';

/**
 * How an attempt's end is told: the status each way of ending decides (an error, the wait for a
 * target state, a fleet's members, a sequence's steps) and the words its record shows.
 */

const MAX_OUTPUT = 64 * 1024;

/** What every outcome of an attempt that acted carries. */
export interface ActionDone {
  /** The action's output, truncated. */
  output: string;
  startedAt: Date;
  runner: string;
}

/** Bad details and a runner the account may not use cannot be fixed by retrying. */
export function failed(startedAt: Date, runner: string | undefined, err: unknown): AttemptOutcome {
  const permanent = err instanceof RunnerError ? err.permanent : err instanceof InvalidFieldError;
  return {
    status: 'failed',
    error: (err as Error)?.message ?? String(err),
    permanent,
    requestId: err instanceof RunnerError ? err.requestId : undefined,
    startedAt,
    runner,
  };
}

export function truncate(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}… (truncated)` : text;
}

/** After the wait for one resource's target state: succeeded only when it got there (or was). */
export function targetOutcome(
  outcome: RunOutcome,
  wait: WaitLimits | null,
  base: ActionDone & { requestId?: string },
): AttemptOutcome {
  const { output, requestId, startedAt, runner } = base;
  if (SUCCESSFUL_RESULTS.includes(outcome.result)) {
    return { status: 'succeeded', output, requestId, outcome, startedAt, runner };
  }
  if (outcome.result === 'interrupted') {
    const reason = `${outcomeError(outcome, wait)}; the next attempt checks what it reached`;
    return { status: 'interrupted', reason, requestId, outcome, startedAt, runner };
  }
  return {
    status: 'failed',
    error: outcomeError(outcome, wait),
    // No permission to check cannot be fixed by acting again; any other miss may be.
    permanent: outcome.result === 'refused',
    requestId,
    outcome,
    startedAt,
    runner,
  };
}

/**
 * After a fleet's members each reached their end: succeeded when every one is where it should
 * be; interrupted when the only misses are members cut off by shutdown.
 */
export function fleetOutcome(kind: string, end: FleetEnd, base: ActionDone): AttemptOutcome {
  const { startedAt, runner } = base;
  const sentence = fleetSentence(kind, end);
  const output = truncate(`${base.output}\n${sentence}`);
  const fields = { fleet: end.summary, resources: end.resources, startedAt, runner };
  if (end.summary.missed === 0) return { status: 'succeeded', output, ...fields };
  const missed = end.resources.filter((r) => !FLEET_SUCCESS.includes(r.result));
  if (missed.every((r) => r.result === 'interrupted')) {
    return {
      status: 'interrupted',
      reason: `${sentence}; the next attempt checks them`,
      ...fields,
    };
  }
  return {
    status: 'failed',
    error: sentence,
    // No permission to check cannot be fixed by acting again; any other miss may be.
    permanent: missed.every((r) => r.result === 'refused'),
    ...fields,
  };
}

/**
 * After a sequence's steps: succeeded when every step succeeded (or was skipped), failed
 * otherwise, naming the step; interrupted at shutdown, so that it is retried from that step.
 */
export function sequenceOutcome(
  plan: SequencePlan,
  end: SequenceEnd,
  base: ActionDone,
): AttemptOutcome {
  const { startedAt, runner } = base;
  const lines = end.steps.map(
    (s) =>
      `step ${s.step} ${s.job}: ${s.status}${s.duration_ms !== undefined ? ` in ${s.duration_ms} ms` : ''}`,
  );
  const output = truncate([base.output, ...lines].join('\n'));
  const failedAt = end.failedAt;
  if (!failedAt) return { status: 'succeeded', output, steps: end.steps, startedAt, runner };
  const at = `step ${failedAt.step} (${failedAt.job})`;
  if (end.interrupted) {
    const reason = `interrupted at ${at}: ${failedAt.error ?? ''}; the next attempt resumes there`;
    return { status: 'interrupted', reason, steps: end.steps, startedAt, runner };
  }
  return {
    status: 'failed',
    error: `${at} failed: ${failedAt.error ?? ''}${plan.onFailure === 'stop' ? '; the steps after it were not run' : ''}`,
    permanent: false,
    steps: end.steps,
    startedAt,
    runner,
  };
}
