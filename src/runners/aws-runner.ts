import { InvalidFieldError } from '../common/errors';
import { FleetPreview } from '../domain/fleet';
import { WaitLimits } from '../domain/outcome';
import { Runner, RunContext, RunResult } from './runner';
import { AwsClients } from './aws/aws-clients';
import { jobWaitLimits, waitSettings } from './aws/wait-settings';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked } from './aws/dry-run-checks';
import {
  actOnFleet,
  FleetContext,
  FleetOps,
  previewFleet,
  previewSentence,
} from './fleet/fleet-run';
import {
  FLEET_CONFIG_KEYS,
  fleetSettings,
  FleetSettings,
  jobMaxResources,
} from './fleet/fleet-settings';
import { AWS_BUCKETS, Pacing } from './fleet/pacing';
import { parseTagSelector, TagSelector } from './fleet/tag-selector';

/** How a job names its resources: one by id (as the original did), or every one carrying tags. */
export type Selection<Id> = { id: Id; selector?: undefined } | { id?: undefined; selector: Fleet };

/** A tag selector with the job's own safety limit. */
export interface Fleet {
  tags: TagSelector;
  limit: number;
}

/**
 * Base of the AWS runner types: they share the account's SDK clients, and after each action
 * wait, bounded, for the resource to reach the target state. Each type states its default
 * bounds (`waitDefaults`); a runner's `config` may change them, a job's details may skip the
 * wait or shorten/lengthen it. A type that can act on fleets (a tag selector instead of an id)
 * reads its selection with `selection` and acts with `fleet` / `preview`.
 */
export abstract class AwsRunner<D> extends Runner<D> {
  /** Default wait bounds of the type: set by each subclass. */
  static readonly waitDefaults: WaitLimits;
  /** This runner's wait bounds: the type's defaults with its config applied. */
  readonly waitBounds: WaitLimits;
  /** How this runner acts on fleets: its config's fleet keys. */
  readonly fleetSettings: FleetSettings;

  constructor(
    name: string,
    config: Record<string, unknown> | undefined,
    protected readonly aws: AwsClients,
    /** The registry gives every runner of an app the same buckets (they are per account). */
    protected readonly pacing: Pacing = new Pacing(AWS_BUCKETS),
  ) {
    super(name);
    // A static of the subclass: defined before this constructor runs, unlike instance fields.
    this.waitBounds = waitSettings(
      config,
      (new.target as unknown as typeof AwsRunner).waitDefaults,
      FLEET_CONFIG_KEYS,
    );
    this.fleetSettings = fleetSettings(config);
  }

  override waitLimits(details: Record<string, string>): WaitLimits | null {
    return jobWaitLimits(details, this.waitBounds);
  }

  /**
   * The job's resources: `idKey` (as today) or `tag_selector` (a fleet), exactly one of them.
   * InvalidFieldError naming the detail otherwise.
   */
  protected selection<Id>(
    details: Record<string, string>,
    idKey: string,
    readId: () => Id,
  ): Selection<Id> {
    const tags = parseTagSelector(details);
    const hasId = details[idKey] !== undefined && details[idKey] !== '';
    if (tags && hasId) {
      throw new InvalidFieldError(
        'job.details.tag_selector',
        `give either ${idKey} (one resource) or tag_selector (every resource carrying the tags), not both`,
      );
    }
    if (!tags) {
      if (details.max_resources !== undefined) {
        throw new InvalidFieldError('job.details.max_resources', 'applies to a tag_selector only');
      }
      return { id: readId() };
    }
    return { selector: { tags, limit: jobMaxResources(details, this.fleetSettings) } };
  }

  /** A fleet job's run: every resource the ops find acted on (see `actOnFleet`), and what was asked. */
  protected async runFleet(
    ops: FleetOps,
    fleet: Fleet,
    ctx: RunContext,
    asked: string,
  ): Promise<RunResult> {
    const target = await actOnFleet(ops, this.fleetContext(fleet, ctx, ctx.job.details));
    return {
      output: asked.replace('%s', `the ${ops.kind}s matching ${fleet.tags.text}`),
      fleet: target,
    };
  }

  /** What `actsOn` names: `instance:i-0abc`, or `instance:tag:Schedule=office-hours` for a fleet. */
  protected resourceName(kind: string, d: { selector?: Fleet }, id: () => string): string {
    return `${kind}:${d.selector ? `tag:${d.selector.tags.text}` : id()}`;
  }

  protected preview(ops: FleetOps, fleet: Fleet, ctx: RunContext): Promise<FleetPreview> {
    return previewFleet(ops, this.fleetContext(fleet, ctx, {}));
  }

  /**
   * A fleet's dry run: what the selector matches now (how many, which ids, which are left alone
   * and why, whether the safety limit refuses it), the permission to find them (`find`)
   * checked by finding them, and the action's own checks (`act`: EC2 tries it with `DryRun`,
   * the services without a dry run say so).
   */
  protected async fleetDryRun(
    ctx: RunContext,
    ops: FleetOps,
    fleet: Fleet,
    verb: string,
    permissions: { find: string; act: (preview: FleetPreview) => Promise<PermissionCheck[]> },
  ): Promise<DryRunReport> {
    const checks: PermissionCheck[] = [];
    const identity = this.aws.identity(ctx.account);
    const found = await describeChecked(permissions.find, identity, checks, () =>
      this.preview(ops, fleet, ctx),
    );
    const preview = found.value;
    if (!preview) return { state: null, would: `${fleet.tags.text}: ${found.error}`, checks };
    checks.push(...(await permissions.act(preview)));
    return { state: null, would: previewSentence(ops.kind, verb, preview), checks, fleet: preview };
  }

  private fleetContext(
    fleet: Fleet,
    ctx: RunContext,
    details: Record<string, string>,
  ): FleetContext {
    return {
      selector: fleet.tags,
      settings: this.fleetSettings,
      limit: fleet.limit,
      identity: this.aws.identity(ctx.account),
      now: ctx.now ?? (() => new Date()),
      signal: ctx.signal,
      waits: this.waitLimits(details) !== null,
    };
  }
}
