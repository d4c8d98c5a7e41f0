import {
  AssignPublicIp,
  CapacityProviderStrategyItem,
  DescribeServicesCommand,
  ECSClient,
  LaunchType,
  NetworkConfiguration,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { RunnerError } from '../../common/errors';
import { RunContext, RunResult } from '../runner';
import { AwsRunner } from './aws-runner';
import { awsRunnerError } from './aws-errors';
import { integer, list, oneOf, required } from './details';

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
 */
export class TaskRunner extends AwsRunner {
  readonly type = 'task';

  validate(details: Record<string, string>): void {
    oneOf(details, 'task_action', ['run']);
    required(details, 'task_cluster', NAME, 'an ECS cluster name or ARN');
    required(details, 'task_name', NAME, 'a task definition family, family:revision or ARN');
    integer(details, 'count', 1, 10, 1);
    if (details.launch_type !== undefined) oneOf(details, 'launch_type', LAUNCH_TYPES);
    list(
      details,
      'subnets',
      /^subnet-[0-9a-f]{8,17}$/,
      'comma-separated subnet ids such as subnet-0123abcd',
    );
    list(
      details,
      'security_groups',
      /^sg-[0-9a-f]{8,17}$/,
      'comma-separated security group ids such as sg-0123abcd',
    );
    if (details.assign_public_ip !== undefined) oneOf(details, 'assign_public_ip', PUBLIC_IP);
  }

  async run({ account, job, signal, runId }: RunContext): Promise<RunResult> {
    this.validate(job.details);
    const d = job.details;
    const cluster = d.task_cluster;
    const taskDefinition = d.task_name;
    const count = integer(d, 'count', 1, 10, 1);
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
      };
    } catch (err) {
      throw awsRunnerError(
        err,
        `ECS run of ${taskDefinition} in ${cluster}`,
        this.aws.identity(account),
      );
    }
  }

  private async placement(
    ecs: ECSClient,
    d: Record<string, string>,
    signal: AbortSignal,
  ): Promise<Placement> {
    const launchType = d.launch_type as LaunchType | undefined;
    const subnets = list(d, 'subnets', /.*/, '');
    if (subnets.length > 0) {
      const publicIp = d.assign_public_ip === 'true' || d.assign_public_ip === 'ENABLED';
      return {
        launchType,
        source: 'network from details',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets,
            securityGroups: list(d, 'security_groups', /.*/, ''),
            assignPublicIp:
              d.assign_public_ip === undefined
                ? undefined
                : publicIp
                  ? AssignPublicIp.ENABLED
                  : AssignPublicIp.DISABLED,
          },
        },
      };
    }
    const res = await ecs.send(
      new DescribeServicesCommand({ cluster: d.task_cluster, services: [d.task_name] }),
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
      `no ECS service named ${d.task_name} in cluster ${d.task_cluster} to copy the network configuration from: ` +
        'add details "subnets" (and "security_groups", "assign_public_ip") and "launch_type", ' +
        'or launch_type "EC2" for a task definition that needs no awsvpc network',
      true,
    );
  }
}
