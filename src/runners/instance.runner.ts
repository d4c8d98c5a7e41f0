import {
  DescribeInstancesCommand,
  DescribeInstancesCommandOutput,
  EC2Client,
  InstanceStateChange,
  waitUntilInstanceRunning,
  waitUntilInstanceStopped,
} from '@aws-sdk/client-ec2';
import { TargetState } from '../domain/outcome';
import { waitForState } from './aws/wait-for-state';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked, sentence } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner, Fleet, Selection } from './aws-runner';
import { ec2Fleet } from './fleet/ec2-fleet';
import { awsRunnerError, isAccessDenied } from './aws/aws-errors';
import { oneOf, required } from './aws/details';
import { INSTANCE_APIS, sendInstanceAction } from './aws/ec2-actions';
import { ResourceAction } from '../domain/resource-action';

const ACTIONS = ['start', 'stop', 'reboot'] as const;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/**
 * `type: "instance"`: EC2 StartInstances / StopInstances / RebootInstances on `instance_id`, or
 * on every instance carrying the tags of `tag_selector` (a fleet), chosen by `instance_action`.
 * Optional `hibernate: "true"` on stop. An instance is described first: one already running
 * (start) or stopped (stop) is a success that says so, with no call. Then the executor waits for
 * `running` / `stopped` (the SDK's EC2 waiters for one; one describe per page of ids for a fleet;
 * a reboot keeps the instance `running`: the wait checks it still is, not that the OS came back).
 */
export type InstanceDetails = {
  action: (typeof ACTIONS)[number];
  hibernate: boolean;
} & Selection<string>;

export class InstanceRunner extends AwsRunner<InstanceDetails> {
  static override readonly waitDefaults = {
    timeoutMs: 10 * 60_000,
    minDelayMs: 5_000,
    maxDelayMs: 30_000,
  };
  readonly type = 'instance';

  parseDetails(details: Record<string, string>): InstanceDetails {
    const action = oneOf(details, 'instance_action', ACTIONS);
    const selection = this.selection(details, 'instance_id', () =>
      required(
        details,
        'instance_id',
        INSTANCE_ID,
        'an EC2 instance id such as i-0123456789abcdef0',
      ),
    );
    if (details.hibernate !== undefined) {
      oneOf(details, 'hibernate', ['true', 'false']);
      if (action !== 'stop') oneOf(details, 'instance_action', ['stop']);
    }
    return { action, hibernate: details.hibernate === 'true', ...selection };
  }

  override actsOn(d: InstanceDetails): ResourceAction {
    return { resource: this.resourceName('instance', d, () => d.id as string), action: d.action };
  }

  private fleetOps(account: string, d: InstanceDetails & { selector: Fleet }) {
    return ec2Fleet(
      this.aws.ec2(account),
      this.pacing,
      account,
      d.selector.tags,
      d.action,
      this.fleetSettings.batchSize,
      d.hibernate,
    );
  }

  /** DescribeInstances for the state; the action itself with EC2's `DryRun: true`. */
  override async dryRun(ctx: RunContext, d: InstanceDetails): Promise<DryRunReport> {
    if (d.selector) {
      const batch = this.fleetSettings.batchSize;
      return this.fleetDryRun(ctx, this.fleetOps(ctx.account, d), d.selector, d.action, {
        find: 'ec2:DescribeInstances',
        act: async (p) =>
          p.ids.length > 0
            ? [await this.dryRunAction(ctx, d.action, p.ids.slice(0, batch), d.hibernate)]
            : [],
      });
    }
    const { account, signal } = ctx;
    const { action, id, hibernate } = d;
    const ec2 = this.aws.ec2(account);
    const identity = this.aws.identity(account);
    const checks: PermissionCheck[] = [];
    const described = await describeChecked('ec2:DescribeInstances', identity, checks, () =>
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }), { abortSignal: signal }),
    );
    const state = described.value?.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? null;
    checks.push(await this.dryRunAction(ctx, action, [id], hibernate));
    const would = sentence(id, action, state, described, checks[0], wouldDo(action, state));
    return { state, would, checks };
  }

  /** The action itself, tried with EC2's `DryRun: true`: allowed, denied, or not checked. */
  private async dryRunAction(
    { account, signal }: RunContext,
    action: InstanceDetails['action'],
    ids: string[],
    hibernate: boolean,
  ): Promise<PermissionCheck> {
    const permission = `ec2:${INSTANCE_APIS[action]}`;
    try {
      const ec2 = this.aws.ec2(account);
      await sendInstanceAction(ec2, action, ids, { hibernate, dryRun: true, signal });
      return { permission, result: 'allowed' };
    } catch (err) {
      const e = err as Error;
      if (e.name === 'DryRunOperation') return { permission, result: 'allowed' };
      if (isAccessDenied(err)) {
        const identity = this.aws.identity(account);
        return {
          permission,
          result: 'denied',
          detail: `refused for ${identity}: ${e.name}: ${e.message}`,
        };
      }
      return { permission, result: 'not checked', detail: `${e.name}: ${e.message}` };
    }
  }

  async run(ctx: RunContext, d: InstanceDetails): Promise<RunResult> {
    if (d.selector) {
      return this.runFleet(this.fleetOps(ctx.account, d), d.selector, ctx, `${d.action} %s`);
    }
    const { account, signal } = ctx;
    const { action, id, hibernate } = d;
    const ec2 = this.aws.ec2(account);
    try {
      const before = await stateBefore(ec2, id, signal);
      const target = targetOf(ec2, id, action, before);
      if (target.already) return { output: `${action} ${id}: already ${before}`, target };
      const { requestId, changes } = await sendInstanceAction(ec2, action, [id], {
        hibernate,
        signal,
      });
      if (action === 'reboot') return { output: `reboot of ${id} requested`, requestId, target };
      const asked = action === 'stop' && hibernate ? 'stop (hibernate)' : action;
      return { output: describe(asked, id, changes), requestId, target };
    } catch (err) {
      throw awsRunnerError(err, `EC2 ${action} of ${id}`, this.aws.identity(account));
    }
  }
}

const stateIn = (r: DescribeInstancesCommandOutput) =>
  r?.Reservations?.[0]?.Instances?.[0]?.State?.Name ?? null;

/** The instance's state before the action; null when the role may not describe it. */
async function stateBefore(
  ec2: EC2Client,
  id: string,
  signal: AbortSignal,
): Promise<string | null> {
  try {
    return stateIn(
      await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }), { abortSignal: signal }),
    );
  } catch (err) {
    if (isAccessDenied(err)) return null; // act anyway; the wait will say it cannot check
    throw err;
  }
}

function targetOf(
  ec2: EC2Client,
  id: string,
  action: InstanceDetails['action'],
  before: string | null,
): TargetState {
  const state = action === 'stop' ? 'stopped' : 'running';
  const waiter = action === 'stop' ? waitUntilInstanceStopped : waitUntilInstanceRunning;
  return {
    resource: `instance ${id}`,
    state,
    before,
    already: action !== 'reboot' && before === state,
    wait: (limits, signal) =>
      waitForState(ec2, limits, signal, (p) => waiter(p, { InstanceIds: [id] }), stateIn),
  };
}

/** What each action does to an instance in each state, for the dry run's sentence. */
function wouldDo(action: InstanceDetails['action'], state: string | null): string {
  if (state === null) return `${action} it`;
  if (action === 'start' && ['running', 'pending'].includes(state))
    return 'change nothing (already running)';
  if (action === 'stop' && ['stopped', 'stopping'].includes(state))
    return 'change nothing (already stopped)';
  if (action === 'reboot' && state !== 'running')
    return `fail (a ${state} instance cannot be rebooted)`;
  return { start: 'start it', stop: 'stop it', reboot: 'reboot it' }[action];
}

function describe(action: string, id: string, changes: InstanceStateChange[] | undefined): string {
  const change = changes?.find((c) => c.InstanceId === id) ?? changes?.[0];
  const before = change?.PreviousState?.Name ?? 'unknown';
  const after = change?.CurrentState?.Name ?? 'unknown';
  const already = before === after ? ` (already ${after})` : '';
  return `${action} ${id}: ${before} -> ${after}${already}`;
}
