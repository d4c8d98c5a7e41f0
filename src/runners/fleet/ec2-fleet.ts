import { DescribeInstancesCommand, EC2Client, Filter, Instance } from '@aws-sdk/client-ec2';
import { InstanceAction, INSTANCE_APIS, sendInstanceAction } from '../aws/ec2-actions';
import { FleetOps, Matched } from './fleet-run';
import { Pacing } from './pacing';
import { tagRecord, TagSelector } from './tag-selector';

/** Instances that still exist for an action to move (terminated ones are past any schedule). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];
const PAGE = 1000;
/** The state an instance passes through on its way to the action's target. */
const ON_THE_WAY: Record<InstanceAction, string | null> = {
  start: 'pending',
  stop: 'stopping',
  reboot: null,
};
/** Ids per `instance-id` filter of a describe while waiting. */
const DESCRIBE_IDS = 200;

/**
 * EC2 instances by tag: DescribeInstances with `tag:<key>` filters (paginated, 1,000 a page),
 * acted on with StartInstances / StopInstances / RebootInstances naming up to `batchSize`
 * instances a call, each call paced by EC2's request and resource token buckets. An instance
 * `pending` (start) or `stopping` (stop) is waited for, not asked again.
 */
export function ec2Fleet(
  ec2: EC2Client,
  pacing: Pacing,
  account: string,
  selector: TagSelector,
  action: InstanceAction,
  batchSize: number,
  hibernate = false,
): FleetOps {
  const target = action === 'stop' ? 'stopped' : 'running';
  const describe = async (filters: Filter[], signal: AbortSignal, maxResults?: number) => {
    const found: Instance[] = [];
    let token: string | undefined;
    do {
      await pacing.take(account, 'ec2:DescribeInstances', 1, signal);
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: filters,
          MaxResults: maxResults,
          NextToken: token,
        }),
        { abortSignal: signal },
      );
      for (const r of page.Reservations ?? []) found.push(...(r.Instances ?? []));
      token = page.NextToken;
    } while (token);
    return found;
  };
  return {
    kind: 'instance',
    state: target,
    batchSize,
    async resolve(signal): Promise<Matched[]> {
      const filters: Filter[] = [
        ...selector.conditions.map((c) => ({ Name: `tag:${c.key}`, Values: c.values })),
        { Name: 'instance-state-name', Values: LIVE_STATES },
      ];
      return (await describe(filters, signal, PAGE))
        .filter((i) => i.InstanceId)
        .map((i) => ({
          id: i.InstanceId as string,
          state: i.State?.Name ?? null,
          tags: tagRecord(i.Tags),
        }));
    },
    isAt: (state) => action !== 'reboot' && state === target,
    // Already going there (an earlier attempt's call, a person): waited for, and no resource
    // tokens spent on asking again, which a retry after a run timeout would otherwise do.
    onTheWay: (state) => ON_THE_WAY[action] === state,
    async act(ids, signal) {
      const api = INSTANCE_APIS[action];
      await pacing.take(account, `ec2:${api}`, 1, signal);
      await pacing.take(account, `ec2:${api}#instances`, ids.length, signal);
      await sendInstanceAction(ec2, action, ids, { hibernate, signal });
    },
    async describe(ids, signal) {
      const states = new Map<string, string | null>();
      for (let i = 0; i < ids.length; i += DESCRIBE_IDS) {
        const chunk = ids.slice(i, i + DESCRIBE_IDS);
        for (const instance of await describe([{ Name: 'instance-id', Values: chunk }], signal)) {
          if (instance.InstanceId) states.set(instance.InstanceId, instance.State?.Name ?? null);
        }
      }
      return states;
    },
    judge(state) {
      if (state === target) return 'reached';
      if (state === 'terminated' || state === 'shutting-down') return 'elsewhere';
      return 'pending';
    },
  };
}
