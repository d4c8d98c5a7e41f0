import { InvalidFieldError } from '../common/errors';
import { Account } from '../domain/accounts';
import { JobRunnersSettings, RunnerSettings } from './runners.config';
import { AwsClients } from './aws/aws-clients';
import { AWS_BUCKETS, Pacing } from './fleet/pacing';
import { DatabaseRunner } from './database.runner';
import { InstanceRunner } from './instance.runner';
import { ServiceRunner } from './service.runner';
import { AutoScalingRunner } from './autoscaling.runner';
import { TaskRunner } from './task.runner';
import { DummyRunner } from './dummy.runner';
import { SequenceRunner } from './sequence.runner';
import { ParsedRun, Runner } from './runner';

/** What runner types may need to build their runners. */
export interface RunnerDeps {
  aws: AwsClients;
  /** AWS request-rate buckets, per account, shared by every runner of the app (fleets). */
  pacing: Pacing;
}

export type RunnerFactory = (name: string, definition: RunnerSettings, deps: RunnerDeps) => Runner;

/** Runner types this build knows, by the `type` used in `jobRunners`. */
export const RUNNER_TYPES: Record<string, RunnerFactory> = {
  dummy: (name, def) => new DummyRunner(name, def.config),
  instance: (name, def, deps) => new InstanceRunner(name, def.config, deps.aws, deps.pacing),
  database: (name, def, deps) => new DatabaseRunner(name, def.config, deps.aws, deps.pacing),
  service: (name, def, deps) => new ServiceRunner(name, def.config, deps.aws, deps.pacing),
  task: (name, def, deps) => new TaskRunner(name, def.config, deps.aws, deps.pacing),
  sequence: (name) => new SequenceRunner(name),
  autoscaling: (name, def, deps) => new AutoScalingRunner(name, def.config, deps.aws, deps.pacing),
};

export class RunnerConfigError extends Error {}

/**
 * `name -> Runner` for every entry of `jobRunners`, plus each account's allow-list. Resolves a
 * job's `details.runner` for an account, refusing runners the account may not use.
 */
export class RunnerRegistry {
  private constructor(
    private readonly runners: ReadonlyMap<string, Runner>,
    private readonly allowed: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  static fromConfig(
    config: { accounts: Readonly<Record<string, Account>>; runners: JobRunnersSettings },
    types = RUNNER_TYPES,
    deps: RunnerDeps = { aws: new AwsClients(config.accounts), pacing: new Pacing(AWS_BUCKETS) },
  ): RunnerRegistry {
    const runners = new Map<string, Runner>();
    for (const [name, def] of Object.entries(config.runners.runners)) {
      const factory = types[def.type];
      if (!factory) {
        throw new RunnerConfigError(
          `jobRunners.${name}.type: unknown runner type "${def.type}" (known types: ${Object.keys(types).join(', ')})`,
        );
      }
      try {
        runners.set(name, factory(name, def, deps));
      } catch (err) {
        throw new RunnerConfigError(`jobRunners.${name}.config: ${(err as Error).message}`);
      }
    }
    const allowed = new Map(
      Object.entries(config.accounts).map(([account, def]) => [account, new Set(def.runners)]),
    );
    return new RunnerRegistry(runners, allowed);
  }

  /** The runner named by `details.runner`, if the account may use it; InvalidFieldError otherwise. */
  resolve(account: string, details: Record<string, string>): Runner {
    const name = details.runner;
    if (!name) throw new InvalidFieldError('job.details.runner', 'is required');
    const allowedHere = this.allowed.get(account) ?? new Set<string>();
    const runner = this.runners.get(name);
    if (!runner || !allowedHere.has(name)) {
      const list = [...allowedHere].join(', ') || 'none';
      const why = runner ? `is not allowed for account "${account}"` : 'is not a configured runner';
      throw new InvalidFieldError('job.details.runner', `"${name}" ${why} (allowed: ${list})`);
    }
    return runner;
  }

  /** Why `details.runner` cannot run for the account, or null when it can. */
  problem(account: string, details: Record<string, string>): string | null {
    try {
      this.resolve(account, details);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /**
   * The runner and the parameters it reads from the details: at create/update time (to refuse
   * what cannot run, naming the field) and once before each run.
   */
  parse(account: string, details: Record<string, string>): ParsedRun {
    const runner = this.resolve(account, details);
    return {
      runner,
      details: runner.parseDetails(details),
      wait: runner.waitLimits(details),
    };
  }

  get(name: string): Runner | undefined {
    return this.runners.get(name);
  }
}
