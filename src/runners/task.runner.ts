import {
  AssignPublicIp,
  CapacityProviderStrategyItem,
  DescribeServicesCommand,
  DescribeTasksCommand,
  DescribeTasksCommandOutput,
  ECSClient,
  LaunchType,
  NetworkConfiguration,
  RunTaskCommand,
  Task,
} from '@aws-sdk/client-ecs';
import { describedPoll, Verdict, waitForState } from './aws/wait-for-state';
import { createHash } from 'node:crypto';
import { RunnerError } from '../common/errors';
import { DryRunReport } from '../domain/dry-run';
import { notChecked } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner } from './aws-runner';
import { awsRunnerError } from './aws/aws-errors';
import { integer, list, oneOf, required } from './aws/details';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_:/.-]{0,1023}$/;
const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;
const PUBLIC_IP = ['ENABLED', 'DISABLED', 'true', 'false'] as const;

interface Placement {
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderStrategyItem[];
  networkConfiguration?: NetworkConfiguration;
  source: string;
}

/**
 * `type: "task"`: ECS RunTask of task definition `task_name` in `task_cluster`, `count` (1-10,
 * default 1) tasks, startedBy "minion". Placement comes from the details (`launch_type`,
 * `subnets`, `security_groups`, `assign_public_ip`); when they give no subnets, from the ECS
 * service of the same name in that cluster (its network configuration and launch type or
 * capacity provider strategy); failing both, the run fails saying what to add. The idempotency
 * token is derived from the occurrence id, so retries of one occurrence never double the tasks.
 * The wait: until every task started is RUNNING, or STOPPED with exit code 0 in every container
 * (a short task that already finished); a task stopped otherwise ends the wait with its reason.
 */
export interface TaskDetails {
  cluster: string;
  taskDefinition: string;
  count: number;
  launchType?: LaunchType;
  subnets: string[];
  securityGroups: string[];
  /** Undefined: not given. */
  assignPublicIp?: boolean;
}

export class TaskRunner extends AwsRunner<TaskDetails> {
  static override readonly waitDefaults = {
    timeoutMs: 10 * 60_000,
    minDelayMs: 6_000,
    maxDelayMs: 30_000,
  };
  readonly type = 'task';

  parseDetails(details: Record<string, string>): TaskDetails {
    oneOf(details, 'task_action', ['run']);
    const publicIp =
      details.assign_public_ip === undefined
        ? undefined
        : oneOf(details, 'assign_public_ip', PUBLIC_IP);
    return {
      cluster: required(details, 'task_cluster', NAME, 'an ECS cluster name or ARN'),
      taskDefinition: required(
        details,
        'task_name',
        NAME,
        'a task definition family, family:revision or ARN',
      ),
      count: integer(details, 'count', 1, 10, 1),
      launchType:
        details.launch_type === undefined ? undefined : oneOf(details, 'launch_type', LAUNCH_TYPES),
      subnets: list(
        details,
        'subnets',
        /^subnet-[0-9a-f]{8,17}$/,
        'comma-separated subnet ids such as subnet-0123abcd',
      ),
      securityGroups: list(
        details,
        'security_groups',
        /^sg-[0-9a-f]{8,17}$/,
        'comma-separated security group ids such as sg-0123abcd',
      ),
      assignPublicIp:
        publicIp === undefined ? undefined : publicIp === 'true' || publicIp === 'ENABLED',
    };
  }

  /** RunTask has no dry run: says what would run, where; nothing is described. */
  override async dryRun(_ctx: RunContext, d: TaskDetails): Promise<DryRunReport> {
    const network =
      d.subnets.length > 0
        ? `in subnets ${d.subnets.join(', ')}`
        : `with the network configuration of service ${d.taskDefinition.split(':')[0]} in that cluster`;
    return {
      state: null,
      would: `run ${d.count} task(s) of ${d.taskDefinition} in cluster ${d.cluster} ${network}`,
      checks: [notChecked('ecs:RunTask', 'ECS')],
    };
  }

  async run({ account, signal, runId }: RunContext, d: TaskDetails): Promise<RunResult> {
    const { cluster, taskDefinition, count } = d;
    const ecs = this.aws.ecs(account);
    try {
      const placement = await this.placement(ecs, d, signal);
      const res = await ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition,
          count,
          startedBy: 'minion',
          // Same token for every attempt of one occurrence: a retry after a lost answer starts no extra tasks.
          clientToken: runId ? createHash('sha256').update(runId).digest('hex') : undefined,
          launchType: placement.launchType,
          capacityProviderStrategy: placement.capacityProviderStrategy,
          networkConfiguration: placement.networkConfiguration,
        }),
        { abortSignal: signal },
      );
      const started = (res.tasks ?? []).map((t) => t.taskArn ?? '?');
      const failures = (res.failures ?? []).map(
        (f) => `${f.arn ?? taskDefinition}: ${f.reason}${f.detail ? ` (${f.detail})` : ''}`,
      );
      if (started.length === 0) {
        throw new RunnerError(
          `ECS could not start ${taskDefinition} in ${cluster}: ${failures.join('; ') || 'no task started'}`,
          failures.some((f) => f.includes('MISSING')),
          res.$metadata?.requestId,
        );
      }
      return {
        output:
          `started ${started.length} of ${count} task(s) of ${taskDefinition} in ${cluster} ` +
          `(${placement.source}): ${started.join(', ')}` +
          (failures.length ? `; failures: ${failures.join('; ')}` : ''),
        requestId: res.$metadata?.requestId,
        target: {
          resource: `${started.length} task(s) of ${taskDefinition} in ${cluster}`,
          state: 'RUNNING',
          before: null,
          wait: (limits, waitSignal) =>
            waitForState(
              ecs,
              limits,
              waitSignal,
              describedPoll(
                (c: ECSClient) => c.send(new DescribeTasksCommand({ cluster, tasks: started })),
                (r: DescribeTasksCommandOutput) => judgeTasks(r.tasks ?? []),
              ),
              (r: DescribeTasksCommandOutput) => tasksState(r.tasks ?? []),
            ),
        },
      };
    } catch (err) {
      throw awsRunnerError(
        err,
        `ECS run of ${taskDefinition} in ${cluster}`,
        this.aws.identity(account),
      );
    }
  }

  private async placement(ecs: ECSClient, d: TaskDetails, signal: AbortSignal): Promise<Placement> {
    const launchType = d.launchType;
    if (d.subnets.length > 0) {
      return {
        launchType,
        source: 'network from details',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: d.subnets,
            securityGroups: d.securityGroups,
            assignPublicIp:
              d.assignPublicIp === undefined
                ? undefined
                : d.assignPublicIp
                  ? AssignPublicIp.ENABLED
                  : AssignPublicIp.DISABLED,
          },
        },
      };
    }
    const res = await ecs.send(
      new DescribeServicesCommand({ cluster: d.cluster, services: [d.taskDefinition] }),
      { abortSignal: signal },
    );
    const service = res.services?.find((s) => s.status === 'ACTIVE');
    if (service) {
      return {
        launchType: launchType ?? service.launchType,
        capacityProviderStrategy:
          launchType || service.launchType ? undefined : service.capacityProviderStrategy,
        networkConfiguration: service.networkConfiguration,
        source: `placement of service ${service.serviceName}`,
      };
    }
    if (launchType === 'EC2' || launchType === 'EXTERNAL') {
      return { launchType, source: `${launchType} launch type, task definition networking` };
    }
    throw new RunnerError(
      `no ECS service named ${d.taskDefinition} in cluster ${d.cluster} to copy the network configuration from: ` +
        'add details "subnets" (and "security_groups", "assign_public_ip") and "launch_type", ' +
        'or launch_type "EC2" for a task definition that needs no awsvpc network',
      true,
    );
  }
}

/** Stopped with every container's exit code 0: a short task that ran and finished. */
const finishedWell = (t: Task) =>
  t.lastStatus === 'STOPPED' &&
  (t.containers ?? []).length > 0 &&
  (t.containers ?? []).every((c) => c.exitCode === 0);

function judgeTasks(tasks: Task[]): Verdict {
  if (tasks.length === 0) return 'elsewhere';
  if (tasks.some((t) => t.lastStatus === 'STOPPED' && !finishedWell(t))) return 'elsewhere';
  return tasks.every((t) => t.lastStatus === 'RUNNING' || finishedWell(t)) ? 'reached' : 'pending';
}

/** "RUNNING", or each status with the exit codes and reason of stopped tasks. */
function tasksState(tasks: Task[]): string {
  if (tasks.length === 0) return 'missing';
  const parts = tasks.map((t) => {
    if (t.lastStatus !== 'STOPPED') return t.lastStatus ?? 'unknown';
    const codes = (t.containers ?? []).map((c) => `${c.name ?? '?'}=${c.exitCode ?? 'none'}`);
    return `STOPPED (exit ${codes.join(', ') || 'none'}${t.stoppedReason ? `: ${t.stoppedReason}` : ''})`;
  });
  const distinct = [...new Set(parts)];
  return distinct.length === 1 ? distinct[0] : parts.join('; ');
}
