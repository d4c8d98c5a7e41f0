import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { FleetOps, Matched } from './fleet-run';
import { Pacing } from './pacing';
import { TagSelector } from './tag-selector';
import { arnResource, chunks, findTagged } from './tagged-resources';

/** Services per DescribeServices call (the API takes up to 10, of one cluster). */
const PER_CALL = 10;

interface Service {
  desired: number;
  running: number;
  deployments: number;
}

/**
 * ECS services by tag: found through the Resource Groups Tagging API (`ecs:service`; only those
 * of `cluster` when the job names one), described ten a call per cluster, each scaled to
 * `desiredCount` by its own UpdateService. A member's id is `<cluster>/<service>`; it has
 * reached its target when it runs that many tasks in one deployment.
 */
export function ecsFleet(
  ecs: ECSClient,
  tagging: ResourceGroupsTaggingAPIClient,
  pacing: Pacing,
  account: string,
  selector: TagSelector,
  desiredCount: number,
  cluster: string | undefined,
): FleetOps {
  const seen = new Map<string, Service>();
  const stateOf = (s: Service) => `${s.running} running (desired ${s.desired})`;
  const describe = async (ids: readonly string[], signal: AbortSignal) => {
    const byCluster = new Map<string, string[]>();
    for (const id of ids) {
      const slash = id.indexOf('/');
      const list = byCluster.get(id.slice(0, slash)) ?? [];
      list.push(id.slice(slash + 1));
      byCluster.set(id.slice(0, slash), list);
    }
    const states = new Map<string, string | null>();
    for (const [c, names] of byCluster) {
      for (const part of chunks(names, PER_CALL)) {
        await pacing.take(account, 'ecs:Describe', 1, signal);
        const res = await ecs.send(new DescribeServicesCommand({ cluster: c, services: part }), {
          abortSignal: signal,
        });
        for (const s of res.services ?? []) {
          if (!s.serviceName || s.status === 'INACTIVE') continue;
          const service = {
            desired: s.desiredCount ?? 0,
            running: s.runningCount ?? 0,
            deployments: s.deployments?.length ?? 1,
          };
          seen.set(`${c}/${s.serviceName}`, service);
          states.set(`${c}/${s.serviceName}`, stateOf(service));
        }
      }
    }
    return states;
  };
  const at = (id: string) => {
    const s = seen.get(id);
    return !!s && s.desired === desiredCount && s.running === desiredCount && s.deployments <= 1;
  };
  return {
    kind: 'service',
    state: `${desiredCount} running`,
    batchSize: 1,
    async resolve(signal): Promise<Matched[]> {
      const tagged = await findTagged(tagging, pacing, account, selector, ['ecs:service'], signal);
      const tags = new Map<string, Record<string, string>>();
      for (const t of tagged) {
        // service/<cluster>/<name> (the long ARN format); the short one has no cluster: skipped.
        const [, c, name] = arnResource(t.arn).split('/');
        if (!c || !name || (cluster && c !== cluster && !cluster.endsWith(`/${c}`))) continue;
        tags.set(`${c}/${name}`, t.tags);
      }
      const states = await describe([...tags.keys()], signal);
      return [...states].map(([id, state]) => ({ id, state, tags: tags.get(id) ?? {} }));
    },
    isAt: (_state, id) => at(id),
    async act([id], signal) {
      const slash = id.indexOf('/');
      await pacing.take(account, 'ecs:UpdateService', 1, signal);
      await ecs.send(
        new UpdateServiceCommand({
          cluster: id.slice(0, slash),
          service: id.slice(slash + 1),
          desiredCount,
        }),
        { abortSignal: signal },
      );
    },
    describe,
    judge: (_state, id) =>
      at(id) ? 'reached' : seen.get(id)?.desired !== desiredCount ? 'elsewhere' : 'pending',
  };
}
