import {
  AutoScalingClient,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { InvalidFieldError } from '../common/errors';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked, notChecked, sentence } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner } from './aws-runner';
import { awsRunnerError, isAccessDenied } from './aws/aws-errors';
import { integer, list, oneOf, required } from './aws/details';
import { ResourceAction } from '../domain/resource-action';
import { TargetState } from '../domain/outcome';
import { describedPoll, Verdict, waitForState } from './aws/wait-for-state';

const ACTIONS = ['scale', 'suspend', 'resume'] as const;
/** What UpdateAutoScalingGroup takes as a name: 1-255 characters, no control characters. */
const GROUP_NAME = /^\P{Cc}{1,255}$/u;
const MAX_SIZE = 100_000;
/** The processes SuspendProcesses and ResumeProcesses know. */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;
const PROCESS = new RegExp(`^(${SCALING_PROCESSES.join('|')})$`);

/**
 * `type: "autoscaling"`: an EC2 Auto Scaling group, `group_name`, by `autoscaling_action`:
 * - `scale`: UpdateAutoScalingGroup with `desired_capacity`, and `min_size` / `max_size` when
 *   given (checked together: min <= desired <= max), so a scale to 0 can lower the minimum too;
 * - `suspend` / `resume`: SuspendProcesses / ResumeProcesses of `processes` (comma-separated,
 *   e.g. "Launch,Terminate"; absent means all of them).
 * Numbers are strings, as in every runner's details. The outcome: after a scale, the group has
 * `desired_capacity` instances, all InService (a group already so gets no call); after suspend
 * or resume, the processes are (not) in the group's suspended list.
 */
export type AutoScalingDetails =
  | { action: 'scale'; group: string; desired: number; min?: number; max?: number }
  | { action: 'suspend' | 'resume'; group: string; processes: string[] };

export class AutoScalingRunner extends AwsRunner<AutoScalingDetails> {
  static override readonly waitDefaults = {
    timeoutMs: 15 * 60_000,
    minDelayMs: 10_000,
    maxDelayMs: 30_000,
  };
  readonly type = 'autoscaling';

  parseDetails(details: Record<string, string>): AutoScalingDetails {
    const action = oneOf(details, 'autoscaling_action', ACTIONS);
    const group = required(details, 'group_name', GROUP_NAME, 'an Auto Scaling group name');
    if (action !== 'scale') {
      const processes = list(
        details,
        'processes',
        PROCESS,
        `one of ${SCALING_PROCESSES.join(', ')}`,
      );
      return { action, group, processes };
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
    return { action, group, desired, min, max };
  }

  override actsOn(d: AutoScalingDetails): ResourceAction {
    const action =
      d.action === 'scale'
        ? `scale to ${d.desired}`
        : `${d.action} ${d.processes.length > 0 ? d.processes.join(',') : 'all processes'}`;
    return { resource: `group:${d.group}`, action };
  }

  /** Describes the group; Auto Scaling has no dry run for the action. */
  override async dryRun(
    { account, signal }: RunContext,
    d: AutoScalingDetails,
  ): Promise<DryRunReport> {
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

  async run({ account, signal }: RunContext, d: AutoScalingDetails): Promise<RunResult> {
    const client = this.aws.autoScaling(account);
    try {
      const target = this.target(client, d, await groupBefore(client, d.group, signal));
      if (target.already) {
        return { output: `scale ${d.group}: already ${target.before}`, target };
      }
      if (d.action === 'scale') {
        const res = await client.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: d.group,
            DesiredCapacity: d.desired,
            ...(d.min !== undefined ? { MinSize: d.min } : {}),
            ...(d.max !== undefined ? { MaxSize: d.max } : {}),
          }),
          { abortSignal: signal },
        );
        const bounds = [
          d.min !== undefined ? `min ${d.min}` : '',
          d.max !== undefined ? `max ${d.max}` : '',
        ].filter(Boolean);
        return {
          output: `scaled ${d.group} to ${d.desired}${bounds.length ? ` (${bounds.join(', ')})` : ''}`,
          requestId: res.$metadata?.requestId,
          target,
        };
      }
      const input = {
        AutoScalingGroupName: d.group,
        ...(d.processes.length > 0 ? { ScalingProcesses: d.processes } : {}),
      };
      const res =
        d.action === 'suspend'
          ? await client.send(new SuspendProcessesCommand(input), { abortSignal: signal })
          : await client.send(new ResumeProcessesCommand(input), { abortSignal: signal });
      const what = d.processes.length > 0 ? d.processes.join(', ') : 'all processes';
      return {
        output: `${d.action === 'suspend' ? 'suspended' : 'resumed'} ${what} of ${d.group}`,
        requestId: res.$metadata?.requestId,
        target,
      };
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
    d: AutoScalingDetails,
    before: AutoScalingGroup | null,
  ): TargetState {
    const judge = (g: AutoScalingGroup | null): Verdict => {
      if (g === null) return 'elsewhere';
      if (d.action !== 'scale') return processesDone(g, d) ? 'reached' : 'pending';
      if (g.DesiredCapacity !== d.desired) return 'elsewhere';
      return atDesired(g) ? 'reached' : 'pending';
    };
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

const inService = (g: AutoScalingGroup) =>
  (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;

/** As many instances as desired, every one in service (none launching or terminating). */
function atDesired(g: AutoScalingGroup): boolean {
  return inService(g) === g.DesiredCapacity && (g.Instances ?? []).length === g.DesiredCapacity;
}

function suspendedOf(g: AutoScalingGroup): string[] {
  return (g.SuspendedProcesses ?? []).map((p) => p.ProcessName ?? '').filter(Boolean);
}

function processesDone(g: AutoScalingGroup, d: AutoScalingDetails): boolean {
  if (d.action === 'scale') return false;
  const suspended = suspendedOf(g);
  const named = d.processes.length > 0 ? d.processes : [...SCALING_PROCESSES];
  return d.action === 'suspend'
    ? named.every((p) => suspended.includes(p))
    : named.every((p) => !suspended.includes(p));
}

function groupState(g: AutoScalingGroup, d: AutoScalingDetails): string {
  if (d.action !== 'scale') {
    const suspended = suspendedOf(g);
    return suspended.length > 0 ? `suspended: ${suspended.join(', ')}` : 'no process suspended';
  }
  return `${inService(g)} in service of ${(g.Instances ?? []).length} (desired ${g.DesiredCapacity})`;
}

function optionalInteger(details: Record<string, string>, key: string): number | undefined {
  return details[key] === undefined || details[key] === ''
    ? undefined
    : integer(details, key, 0, MAX_SIZE);
}
