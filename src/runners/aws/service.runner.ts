import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
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
