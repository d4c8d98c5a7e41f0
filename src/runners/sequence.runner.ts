import { InvalidFieldError } from '../common/errors';
import { isSafeSegment } from '../common/safe-segment';
import { DryRunReport } from '../domain/dry-run';
import { MAX_STEPS, SequencePlan, StepRef } from '../domain/sequence';
import { oneOf } from './aws/details';
import { RunContext, RunResult, Runner } from './runner';

/**
 * `type: "sequence"`: runs other jobs of the account in order (`steps`: `<group>/<id>` of each,
 * separated by commas), each step only after the previous one reached its target state or was
 * there already. `on_failure`: `stop` (default: the steps after a failed one are not run) or
 * `continue`. The executor runs each step through the normal run path (its own run record in
 * its own history, linked to the sequence's run); this class only reads the details. The API
 * checks the steps when the job is saved (see `references`).
 */
export class SequenceRunner extends Runner<SequencePlan> {
  readonly type = 'sequence';

  parseDetails(details: Record<string, string>): SequencePlan {
    const raw = details.steps;
    if (raw === undefined || raw.trim() === '') {
      throw new InvalidFieldError(
        'job.details.steps',
        'is required (<group>/<id> of each step, in order, separated by ",")',
      );
    }
    const refs = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (refs.length > MAX_STEPS) {
      throw new InvalidFieldError(
        'job.details.steps',
        `has ${refs.length} steps (at most ${MAX_STEPS})`,
      );
    }
    const steps: StepRef[] = refs.map((ref, i) => {
      const [group, id, extra] = ref.split('/');
      if (extra !== undefined || !isSafeSegment(group) || !isSafeSegment(id)) {
        throw new InvalidFieldError(
          'job.details.steps',
          `step ${i + 1} "${ref.slice(0, 100)}" is not <group>/<id> of a job of this account`,
        );
      }
      return { group, id };
    });
    const onFailure = oneOf(details, 'on_failure', ['stop', 'continue'] as const, 'stop');
    return { steps, onFailure };
  }

  override references(plan: SequencePlan): StepRef[] {
    return plan.steps;
  }

  async run(_ctx: RunContext, plan: SequencePlan): Promise<RunResult> {
    return {
      output: `${plan.steps.length} step(s) in order: ${plan.steps.map((s) => `${s.group}/${s.id}`).join(', ')}`,
      sequence: plan,
    };
  }

  override async dryRun(_ctx: RunContext, plan: SequencePlan): Promise<DryRunReport> {
    const failure =
      plan.onFailure === 'stop' ? 'stopping at a failed step' : 'going on past a failed step';
    return {
      state: null,
      would: `run ${plan.steps.length} step(s) in order, each after the previous one reached its target, ${failure}`,
      checks: [],
    };
  }
}
