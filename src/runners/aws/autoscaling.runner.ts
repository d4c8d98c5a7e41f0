import {
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { InvalidFieldError } from '../../common/errors';
import { DryRunReport, PermissionCheck } from '../dry-run';
import { describeChecked, notChecked, sentence } from './dry-run-checks';
import { RunContext, RunResult } from '../runner';
import { AwsRunner } from './aws-runner';
import { awsRunnerError } from './aws-errors';
import { integer, list, oneOf, required } from './details';

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
 * Numbers are strings, as in every runner's details.
 */
export type AutoScalingDetails =
  | { action: 'scale'; group: string; desired: number; min?: number; max?: number }
  | { action: 'suspend' | 'resume'; group: string; processes: string[] };

export class AutoScalingRunner extends AwsRunner<AutoScalingDetails> {
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
      };
    } catch (err) {
      throw awsRunnerError(
        err,
        `Auto Scaling ${d.action} of ${d.group}`,
        this.aws.identity(account),
      );
    }
  }
}

function optionalInteger(details: Record<string, string>, key: string): number | undefined {
  return details[key] === undefined || details[key] === ''
    ? undefined
    : integer(details, key, 0, MAX_SIZE);
}
