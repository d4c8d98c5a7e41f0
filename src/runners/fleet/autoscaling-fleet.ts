import {
  AutoScalingClient,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
  Filter,
} from '@aws-sdk/client-auto-scaling';
import { changeGroup, GroupAction, groupState, judgeGroup } from '../aws/autoscaling-groups';
import { FleetOps, Matched } from './fleet-run';
import { Pacing } from './pacing';
import { tagRecord, TagSelector } from './tag-selector';
import { chunks } from './tagged-resources';

/** Group names per DescribeAutoScalingGroups call while waiting (the API takes up to 50). */
const NAMES_PER_CALL = 50;

/**
 * Auto Scaling groups by tag: DescribeAutoScalingGroups with `tag:<key>` filters (paginated,
 * 100 a page), each group scaled, or its processes suspended or resumed, by its own call.
 */
export function autoScalingFleet(
  client: AutoScalingClient,
  pacing: Pacing,
  account: string,
  selector: TagSelector,
  action: GroupAction,
): FleetOps {
  const groups = new Map<string, AutoScalingGroup>();
  const describe = async (
    input: { Filters?: Filter[]; AutoScalingGroupNames?: string[] },
    signal: AbortSignal,
  ) => {
    const found: AutoScalingGroup[] = [];
    let token: string | undefined;
    do {
      await pacing.take(account, 'autoscaling:Describe', 1, signal);
      const page = await client.send(
        new DescribeAutoScalingGroupsCommand({ ...input, MaxRecords: 100, NextToken: token }),
        { abortSignal: signal },
      );
      found.push(...(page.AutoScalingGroups ?? []));
      token = page.NextToken;
    } while (token);
    return found;
  };
  const stateOf = (g: AutoScalingGroup) => groupState(g, action);
  return {
    kind: 'group',
    state:
      action.action === 'scale'
        ? `${action.desired} in service`
        : `${action.processes.length ? action.processes.join(', ') : 'all processes'} ${action.action === 'suspend' ? 'suspended' : 'running'}`,
    batchSize: 1,
    async resolve(signal): Promise<Matched[]> {
      const filters = selector.conditions.map((c) => ({ Name: `tag:${c.key}`, Values: c.values }));
      return (await describe({ Filters: filters }, signal))
        .filter((g) => g.AutoScalingGroupName)
        .map((g) => {
          groups.set(g.AutoScalingGroupName as string, g);
          return {
            id: g.AutoScalingGroupName as string,
            state: stateOf(g),
            tags: tagRecord(g.Tags),
          };
        });
    },
    // Judged on the group as described (its instances, its processes), not on the state's text;
    // a scale is there only with its bounds too, as one group's run decides.
    isAt(_state, name) {
      const g = groups.get(name);
      if (!g || judgeGroup(g, action) !== 'reached') return false;
      if (action.action !== 'scale') return true;
      return (
        (action.min === undefined || g.MinSize === action.min) &&
        (action.max === undefined || g.MaxSize === action.max)
      );
    },
    async act([name], signal) {
      await pacing.take(account, 'autoscaling:Act', 1, signal);
      await changeGroup(client, { ...action, group: name }, signal);
    },
    async describe(names, signal) {
      const states = new Map<string, string | null>();
      for (const part of chunks(names, NAMES_PER_CALL)) {
        for (const g of await describe({ AutoScalingGroupNames: part }, signal)) {
          if (!g.AutoScalingGroupName) continue;
          groups.set(g.AutoScalingGroupName, g);
          states.set(g.AutoScalingGroupName, stateOf(g));
        }
      }
      return states;
    },
    judge: (_state, name) => judgeGroup(groups.get(name) ?? null, action),
  };
}
