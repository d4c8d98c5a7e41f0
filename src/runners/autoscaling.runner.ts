import {
  AutoScalingClient,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { InvalidFieldError } from '../common/errors';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked, notChecked, sentence } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner, Fleet } from './aws-runner';
import { autoScalingFleet } from './fleet/autoscaling-fleet';
import { awsRunnerError, isAccessDenied } from './aws/aws-errors';
import { integer, list, oneOf, required } from './aws/details';
import { ResourceAction } from '../domain/resource-action';
import { TargetState } from '../domain/outcome';
import { describedPoll, Verdict, waitForState } from './aws/wait-for-state';
import {
  changeGroup,
  GroupAction,
  groupState,
  judgeGroup,
  SCALING_PROCESSES,
} from './aws/autoscaling-groups';

const ACTIONS = ['scale', 'suspend', 'resume'] as const;
/** What UpdateAutoScalingGroup takes as a name: 1-255 characters, no control characters. */
const GROUP_NAME = /^\P{Cc}{1,255}$/u;
const MAX_SIZE = 100_000;
const PROCESS = new RegExp(`^(${SCALING_PROCESSES.join('|')})$`);
export { SCALING_PROCESSES };

/**
 * `type: "autoscaling"`: an EC2 Auto Scaling group, `group_name` (or every group carrying the
 * tags of `tag_selector`: a fleet), by `autoscaling_action`:
 * - `scale`: UpdateAutoScalingGroup with `desired_capacity`, and `min_size` / `max_size` when
 *   given (checked together: min <= desired <= max), so a scale to 0 can lower the minimum too;
 * - `suspend` / `resume`: SuspendProcesses / ResumeProcesses of `processes` (comma-separated,
 *   e.g. "Launch,Terminate"; absent means all of them).
 * Numbers are strings, as in every runner's details. The outcome: after a scale, the group has
 * `desired_capacity` instances, all InService (a group already so gets no call); after suspend
 * or resume, the processes are (not) in the group's suspended list.
 */
export type AutoScalingDetails = GroupAction &
  ({ group: string; selector?: undefined } | { group?: undefined; selector: Fleet });

/** One group, named. */
type OneGroup = AutoScalingDetails & { group: string };

export class AutoScalingRunner extends AwsRunner<AutoScalingDetails> {
  static override readonly waitDefaults = {
    timeoutMs: 15 * 60_000,
    minDelayMs: 10_000,
    maxDelayMs: 30_000,
  };
  readonly type = 'autoscaling';

  parseDetails(details: Record<string, string>): AutoScalingDetails {
    const action = oneOf(details, 'autoscaling_action', ACTIONS);
    const selection = this.selection(details, 'group_name', () =>
      required(details, 'group_name', GROUP_NAME, 'an Auto Scaling group name'),
    );
    const group = selection.selector
      ? { selector: selection.selector }
      : { group: selection.id as string };
    if (action !== 'scale') {
      const processes = list(
        details,
        'processes',
        PROCESS,
        `one of ${SCALING_PROCESSES.join(', ')}`,
      );
      return { action, processes, ...group };
    }
    const desired = integer(details, 'desired_capacity', 0, MAX_SIZE);
    const min = optionalInteger(details, 'min_size');
    const max = optionalInteger(details, 'max_size');
    if (min !== undefined && min > desired) {
      throw new InvalidFieldError(
        'job.details.min_size',
        `${min} is above desired_capacity ${desired}`,
      );
    }
    if (max !== undefined && max < desired) {
      throw new InvalidFieldError(
        'job.details.max_size',
        `${max} is below desired_capacity ${desired}`,
      );
    }
    return { action, desired, min, max, ...group };
  }

  override actsOn(d: AutoScalingDetails): ResourceAction {
    const action =
      d.action === 'scale'
        ? `scale to ${d.desired}`
        : `${d.action} ${d.processes.length > 0 ? d.processes.join(',') : 'all processes'}`;
    return { resource: this.resourceName('group', d, () => d.group as string), action };
  }

  private fleetOps(account: string, d: AutoScalingDetails & { selector: Fleet }) {
    return autoScalingFleet(
      this.aws.autoScaling(account),
      this.pacing,
      account,
      d.selector.tags,
      d,
    );
  }

  /** Describes the group; Auto Scaling has no dry run for the action. */
  override async dryRun(ctx: RunContext, details: AutoScalingDetails): Promise<DryRunReport> {
    if (details.selector) {
      const verb =
        details.action === 'scale'
          ? 'UpdateAutoScalingGroup'
          : `${details.action === 'suspend' ? 'Suspend' : 'Resume'}Processes`;
      return this.fleetDryRun(
        ctx,
        this.fleetOps(ctx.account, details),
        details.selector,
        details.action,
        {
          find: 'autoscaling:DescribeAutoScalingGroups',
          act: async () => [notChecked(`autoscaling:${verb}`, 'Auto Scaling')],
        },
      );
    }
    const d = details as OneGroup;
    const { account, signal } = ctx;
    const checks: PermissionCheck[] = [];
    const described = await describeChecked(
      'autoscaling:DescribeAutoScalingGroups',
      this.aws.identity(account),
      checks,
      async () => {
        const res = await this.aws
          .autoScaling(account)
          .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [d.group] }), {
            abortSignal: signal,
          });
        const group = res.AutoScalingGroups?.[0];
        if (!group)
          throw Object.assign(new Error('no such group'), {
            name: 'GroupNotFound',
            $fault: 'client',
          });
        return group;
      },
    );
    const g = described.value;
    const suspended = (g?.SuspendedProcesses ?? []).map((p) => p.ProcessName).filter(Boolean);
    const state = g
      ? `${g.Instances?.length ?? 0} instance(s), desired ${g.DesiredCapacity}, min ${g.MinSize}, max ${g.MaxSize}` +
        (suspended.length > 0 ? `, suspended: ${suspended.join(', ')}` : '')
      : null;
    let effect: string;
    if (d.action === 'scale') {
      checks.push(notChecked('autoscaling:UpdateAutoScalingGroup', 'Auto Scaling'));
      effect =
        `set desired ${d.desired}` +
        (d.min !== undefined ? `, min ${d.min}` : '') +
        (d.max !== undefined ? `, max ${d.max}` : '');
    } else {
      const verb = d.action === 'suspend' ? 'Suspend' : 'Resume';
      checks.push(notChecked(`autoscaling:${verb}Processes`, 'Auto Scaling'));
      effect = `${d.action} ${d.processes.length > 0 ? d.processes.join(', ') : 'all processes'}`;
    }
    const would = sentence(`group ${d.group}`, d.action, state, described, checks[0], effect);
    return { state, would, checks };
  }

  async run(ctx: RunContext, details: AutoScalingDetails): Promise<RunResult> {
    if (details.selector) {
      const ops = this.fleetOps(ctx.account, details);
      return this.runFleet(ops, details.selector, ctx, `${details.action} %s`);
    }
    const d = details as OneGroup;
    const { account, signal } = ctx;
    const client = this.aws.autoScaling(account);
    try {
      const target = this.target(client, d, await groupBefore(client, d.group, signal));
      if (target.already) {
        return { output: `scale ${d.group}: already ${target.before}`, target };
      }
      const res = await changeGroup(client, d, signal);
      return { output: res.output, requestId: res.requestId, target };
    } catch (err) {
      throw awsRunnerError(
        err,
        `Auto Scaling ${d.action} of ${d.group}`,
        this.aws.identity(account),
      );
    }
  }

  /** What the action aims at, judged on the group as described (null: not found or not allowed). */
  private target(
    client: AutoScalingClient,
    d: OneGroup,
    before: AutoScalingGroup | null,
  ): TargetState {
    const judge = (g: AutoScalingGroup | null): Verdict => judgeGroup(g, d);
    const state =
      d.action === 'scale'
        ? `${d.desired} in service`
        : `${d.processes.length > 0 ? d.processes.join(', ') : 'all processes'} ${d.action === 'suspend' ? 'suspended' : 'running'}`;
    const poll = describedPoll(
      (c: AutoScalingClient) =>
        c.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [d.group] })),
      (r: { AutoScalingGroups?: AutoScalingGroup[] }) => judge(r.AutoScalingGroups?.[0] ?? null),
    );
    return {
      resource: `group ${d.group}`,
      state,
      before: before ? groupState(before, d) : null,
      already:
        d.action === 'scale' &&
        before !== null &&
        judge(before) === 'reached' &&
        (d.min === undefined || before.MinSize === d.min) &&
        (d.max === undefined || before.MaxSize === d.max),
      wait: (limits, signal) =>
        waitForState(
          client,
          limits,
          signal,
          poll,
          (r: { AutoScalingGroups?: AutoScalingGroup[] }) =>
            r.AutoScalingGroups?.[0] ? groupState(r.AutoScalingGroups[0], d) : 'deleted',
        ),
    };
  }
}

/** The group before the action; null when the role may not describe it (the action goes on). */
async function groupBefore(
  client: AutoScalingClient,
  group: string,
  signal: AbortSignal,
): Promise<AutoScalingGroup | null> {
  try {
    const res = await client.send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
      { abortSignal: signal },
    );
    return res?.AutoScalingGroups?.[0] ?? null;
  } catch (err) {
    if (isAccessDenied(err)) return null;
    throw err;
  }
}

function optionalInteger(details: Record<string, string>, key: string): number | undefined {
  return details[key] === undefined || details[key] === ''
    ? undefined
    : integer(details, key, 0, MAX_SIZE);
}
