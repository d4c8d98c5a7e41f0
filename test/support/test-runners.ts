import { RunnerError } from '../../src/common/errors';
import { RunnerSettings as RunnerDefinition } from '../../src/runners/runners.config';
import { RunContext, Runner } from '../../src/runners/runner';
import { RUNNER_TYPES } from '../../src/runners/runner-registry';

/**
 * A runner type for tests, driven by `details.behavior`:
 * ok | fail-once | fail-always | permanent | block (waits until `release()`) | crash-me (hangs in
 * a child replica, succeeds elsewhere).
 * It records every call so tests can check what ran, when and how many at once.
 */
export class ScriptedRunner extends Runner {
  readonly type = 'scripted';
  static calls: { jobId: string; attempt: number; at: number }[] = [];
  static active = 0;
  static maxActive = 0;
  private static gates: (() => void)[] = [];
  private static failures = new Map<string, number>();

  static reset(): void {
    ScriptedRunner.calls = [];
    ScriptedRunner.active = 0;
    ScriptedRunner.maxActive = 0;
    ScriptedRunner.gates = [];
    ScriptedRunner.failures.clear();
  }

  /** Lets every blocked run finish. */
  static release(): void {
    ScriptedRunner.gates.splice(0).forEach((open) => open());
  }

  parseDetails(details: Record<string, string>): void {
    if (details.behavior === 'invalid')
      throw new RunnerError('behavior "invalid" is refused', true);
  }

  async run(ctx: RunContext): Promise<string> {
    const id = ctx.job.id;
    const attempt = (ScriptedRunner.failures.get(id) ?? 0) + 1;
    ScriptedRunner.calls.push({ jobId: id, attempt, at: Date.now() });
    ScriptedRunner.active++;
    ScriptedRunner.maxActive = Math.max(ScriptedRunner.maxActive, ScriptedRunner.active);
    try {
      switch (ctx.job.details.behavior) {
        case 'fail-once':
          if (attempt === 1) {
            ScriptedRunner.failures.set(id, 1);
            throw new RunnerError('throttled, try again', false);
          }
          return 'recovered';
        case 'fail-always':
          ScriptedRunner.failures.set(id, attempt);
          throw new RunnerError(`still failing (attempt ${attempt})`, false);
        case 'permanent':
          ScriptedRunner.failures.set(id, attempt);
          throw new RunnerError('access denied', true);
        case 'crash-me':
          // In the child replica of the crash test: announce the run and hang until killed.
          if (process.env.MINION_REPLICA_CHILD === '1') {
            process.stdout.write(`RUNNING ${id}\n`);
            await new Promise<never>(() => undefined);
          }
          return 'recovered on another replica';
        case 'block':
          await new Promise<void>((resolve) => ScriptedRunner.gates.push(resolve));
          return 'unblocked';
        default:
          return `ran ${ctx.job.name}`;
      }
    } finally {
      ScriptedRunner.active--;
    }
  }
}

export const TEST_RUNNER_TYPES = {
  ...RUNNER_TYPES,
  scripted: (name: string, _def: RunnerDefinition) => new ScriptedRunner(name),
};
