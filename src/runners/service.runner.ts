import {
  DescribeServicesCommand,
  DescribeServicesCommandOutput,
  ECSClient,
  Service,
  UpdateServiceCommand,
  waitUntilServicesStable,
} from '@aws-sdk/client-ecs';
import { TargetState } from '../domain/outcome';
import { waitForState } from './aws/wait-for-state';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked, notChecked, sentence } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner, Fleet } from './aws-runner';
import { ecsFleet } from './fleet/ecs-fleet';
import { awsRunnerError, isAccessDenied } from './aws/aws-errors';
import { integer, oneOf, required } from './aws/details';
import { ResourceAction } from '../domain/resource-action';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_:/.-]{0,1023}$/;
const MAX_DESIRED = 100_000;

/**
 * `type: "service"`: ECS UpdateService setting `desired_count` on `service_cluster`/`service_name`.
 * A service already at that count, with as many tasks running, gets no call. The wait: the SDK's
 * ServicesStable waiter (one deployment, running count = desired count).
 */
export type ServiceDetails = { desiredCount: number } & (
  | { cluster: string; service: string; selector?: undefined }
  /** A fleet: every service carrying the tags, of `cluster` only when given. */
  | { cluster?: string; service?: undefined; selector: Fleet }
);

type OneService = ServiceDetails & { cluster: string; service: string };

export class ServiceRunner extends AwsRunner<ServiceDetails> {
  static override readonly waitDefaults = {
    timeoutMs: 10 * 60_000,
    minDelayMs: 10_000,
    maxDelayMs: 30_000,
  };
  readonly type = 'service';

  override actsOn(d: ServiceDetails): ResourceAction {
    const resource = this.resourceName('service', d, () => `${d.cluster}/${d.service}`);
    return { resource, action: `scale to ${d.desiredCount}` };
  }

  parseDetails(details: Record<string, string>): ServiceDetails {
    oneOf(details, 'service_action', ['scale']);
    const desiredCount = integer(details, 'desired_count', 0, MAX_DESIRED);
    const selection = this.selection(details, 'service_name', () =>
      required(details, 'service_name', NAME, 'an ECS service name or ARN'),
    );
    if (selection.selector) {
      const cluster = details.service_cluster
        ? required(details, 'service_cluster', NAME, 'an ECS cluster name or ARN')
        : undefined;
      return { desiredCount, cluster, selector: selection.selector };
    }
    return {
      desiredCount,
      cluster: required(details, 'service_cluster', NAME, 'an ECS cluster name or ARN'),
      service: selection.id,
    };
  }

  private fleetOps(account: string, d: ServiceDetails & { selector: Fleet }) {
    return ecsFleet(
      this.aws.ecs(account),
      this.aws.tagging(account),
      this.pacing,
      account,
      d.selector.tags,
      d.desiredCount,
      d.cluster,
    );
  }

  /** Describes the service; ECS has no dry run for UpdateService. */
  override async dryRun(ctx: RunContext, d: ServiceDetails): Promise<DryRunReport> {
    if (d.selector) {
      return this.fleetDryRun(
        ctx,
        this.fleetOps(ctx.account, d),
        d.selector,
        `scale to ${d.desiredCount}`,
        {
          find: 'tag:GetResources',
          act: async () => [notChecked('ecs:UpdateService', 'ECS')],
        },
      );
    }
    const { account, signal } = ctx;
    const { cluster, service, desiredCount } = d as OneService;
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

  async run(ctx: RunContext, d: ServiceDetails): Promise<RunResult> {
    if (d.selector) {
      const asked = `scale %s to ${d.desiredCount}`;
      return this.runFleet(this.fleetOps(ctx.account, d), d.selector, ctx, asked);
    }
    const { account, signal } = ctx;
    const { cluster, service, desiredCount } = d as OneService;
    const ecs = this.aws.ecs(account);
    try {
      const before = await serviceBefore(ecs, cluster, service, signal);
      const target: TargetState = {
        resource: `service ${cluster}/${service}`,
        state: `${desiredCount} running`,
        before: before ? serviceState({ services: [before] }) : null,
        already: before?.desiredCount === desiredCount && before.runningCount === desiredCount,
        wait: (limits, waitSignal) =>
          waitForState(
            ecs,
            limits,
            waitSignal,
            (p) => waitUntilServicesStable(p, { cluster, services: [service] }),
            serviceState,
          ),
      };
      if (target.already)
        return { output: `scale ${cluster}/${service}: already ${target.before}`, target };
      const res = await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }), {
        abortSignal: signal,
      });
      const s = res.service;
      return {
        output:
          `scaled ${cluster}/${service} to ${s?.desiredCount ?? desiredCount}` +
          (s ? ` (running ${s.runningCount ?? 0}, pending ${s.pendingCount ?? 0})` : ''),
        requestId: res.$metadata?.requestId,
        target,
      };
    } catch (err) {
      throw awsRunnerError(err, `ECS scale of ${cluster}/${service}`, this.aws.identity(account));
    }
  }
}

/** The service before the action; null when the role may not describe it (the action goes on). */
async function serviceBefore(
  ecs: ECSClient,
  cluster: string,
  service: string,
  signal: AbortSignal,
): Promise<Service | null> {
  try {
    const res = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), {
      abortSignal: signal,
    });
    return res?.services?.[0] ?? null;
  } catch (err) {
    if (isAccessDenied(err)) return null;
    throw err;
  }
}

function serviceState(r: Pick<DescribeServicesCommandOutput, 'services'>): string | null {
  const s = r.services?.[0];
  if (!s) return 'missing';
  return `${s.runningCount ?? 0} running of ${s.desiredCount ?? 0} (${s.status ?? 'unknown'}, ${s.deployments?.length ?? 0} deployment(s))`;
}
