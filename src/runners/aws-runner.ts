import { Runner } from './runner';
import { WaitLimits } from '../domain/outcome';
import { AwsClients } from './aws/aws-clients';
import { jobWaitLimits, waitSettings } from './aws/wait-settings';

/**
 * Base of the AWS runner types: they share the account's SDK clients, and after each action
 * wait, bounded, for the resource to reach the target state. Each type states its default
 * bounds (`waitDefaults`); a runner's `config` may change them, a job's details may skip the
 * wait or shorten/lengthen it.
 */
export abstract class AwsRunner<D> extends Runner<D> {
  /** Default wait bounds of the type: set by each subclass. */
  static readonly waitDefaults: WaitLimits;
  /** This runner's wait bounds: the type's defaults with its config applied. */
  readonly waitBounds: WaitLimits;

  constructor(
    name: string,
    config: Record<string, unknown> | undefined,
    protected readonly aws: AwsClients,
  ) {
    super(name);
    // A static of the subclass: defined before this constructor runs, unlike instance fields.
    this.waitBounds = waitSettings(
      config,
      (new.target as unknown as typeof AwsRunner).waitDefaults,
    );
  }

  override waitLimits(details: Record<string, string>): WaitLimits | null {
    return jobWaitLimits(details, this.waitBounds);
  }
}
