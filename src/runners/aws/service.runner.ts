import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { DryRunReport, PermissionCheck } from '../dry-run';
import { describeChecked, notChecked, sentence } from './dry-run-checks';
import { RunContext, RunResult } from '../runner';
import { AwsRunner } from './aws-runner';
import { awsRunnerError } from './aws-errors';
import { integer, oneOf, required } from './details';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_:/.-]{0,1023}$/;
const MAX_DESIRED = 100_000;

/** `type: "service"`: ECS UpdateService setting `desired_count` on `service_cluster`/`service_name`. */
export interface ServiceDetails {
  cluster: string;
  service: string;
  desiredCount: number;
}

export class ServiceRunner extends AwsRunner<ServiceDetails> {
  readonly type = 'service';

  parseDetails(details: Record<string, string>): ServiceDetails {
    oneOf(details, 'service_action', ['scale']);
    return {
      cluster: required(details, 'service_cluster', NAME, 'an ECS cluster name or ARN'),
      service: required(details, 'service_name', NAME, 'an ECS service name or ARN'),
      desiredCount: integer(details, 'desired_count', 0, MAX_DESIRED),
    };
  }

  /** Describes the service; ECS has no dry run for UpdateService. */
  override async dryRun(
    { account, signal }: RunContext,
    { cluster, service, desiredCount }: ServiceDetails,
  ): Promise<DryRunReport> {
    const checks: PermissionCheck[] = [];
    const described = await describeChecked(
      'ecs:DescribeServices',
      this.aws.identity(account),
      checks,
      async () => {
        const res = await this.aws
          .ecs(account)
          .send(new DescribeServicesCommand({ cluster, services: [service] }), {
            abortSignal: signal,
          });
        const found = res.services?.[0];
        if (!found)
          throw Object.assign(new Error(res.failures?.[0]?.reason ?? 'MISSING'), {
            name: 'ServiceNotFound',
            $fault: 'client',
          });
        return found;
      },
    );
    checks.push(notChecked('ecs:UpdateService', 'ECS'));
    const s = described.value;
    const state = s
      ? `${s.status ?? 'unknown'}, ${s.runningCount ?? 0} running (desired ${s.desiredCount ?? 0})`
      : null;
    const effect =
      s?.desiredCount === desiredCount
        ? `change nothing (desired is already ${desiredCount})`
        : `set the desired count to ${desiredCount}`;
    const would = sentence(
      `service ${cluster}/${service}`,
      'scale',
      state,
      described,
      checks[0],
      effect,
    );
    return { state, would, checks };
  }

  async run(
    { account, signal }: RunContext,
    { cluster, service, desiredCount }: ServiceDetails,
  ): Promise<RunResult> {
    try {
      const res = await this.aws
        .ecs(account)
        .send(new UpdateServiceCommand({ cluster, service, desiredCount }), {
          abortSignal: signal,
        });
      const s = res.service;
      return {
        output:
          `scaled ${cluster}/${service} to ${s?.desiredCount ?? desiredCount}` +
          (s ? ` (running ${s.runningCount ?? 0}, pending ${s.pendingCount ?? 0})` : ''),
        requestId: res.$metadata?.requestId,
      };
    } catch (err) {
      throw awsRunnerError(err, `ECS scale of ${cluster}/${service}`, this.aws.identity(account));
    }
  }
}
