import { createHash } from 'node:crypto';
import { SCALING_PROCESSES } from '../../src/runners/autoscaling.runner';
import type { RecordedRequest } from './fake-aws';
import type { FakeResources, Group, Tags } from './fake-aws-resources';
import {
  ACCOUNT,
  ASG_NS,
  indexed,
  page,
  queryError,
  queryFilters,
  REGION,
  Reply,
  xml,
} from './fake-wire';

/**
 * Auto Scaling query actions: DescribeAutoScalingGroups by names and / or tag filters, in pages;
 * UpdateAutoScalingGroup, SuspendProcesses and ResumeProcesses on one group.
 */
export function autoScalingReply(s: FakeResources, r: RecordedRequest): Reply | undefined {
  const p = r.params;
  switch (r.action) {
    case 'DescribeAutoScalingGroups':
      return describe(s, p);
    case 'UpdateAutoScalingGroup': {
      const failure = s.failureFor('autoscaling:UpdateAutoScalingGroup', [p.AutoScalingGroupName]);
      if (failure)
        return queryError(
          ASG_NS,
          failure.code,
          failure.status,
          failure.message ?? `${failure.code} for group ${p.AutoScalingGroupName} (fake AWS)`,
        );
      const g = s.group(p.AutoScalingGroupName);
      g.desired = Number(p.DesiredCapacity ?? g.desired);
      if (p.MinSize !== undefined) g.min = Number(p.MinSize);
      if (p.MaxSize !== undefined) g.max = Number(p.MaxSize);
      g.inService = { state: g.inService.state, next: String(g.desired), left: s.settleAfter };
      return undefined; // the stateless answer is right
    }
    case 'SuspendProcesses':
    case 'ResumeProcesses': {
      const g = s.group(p.AutoScalingGroupName);
      const named = indexed(p, 'ScalingProcesses.member');
      for (const process of named.length > 0 ? named : SCALING_PROCESSES) {
        if (r.action === 'SuspendProcesses') g.suspended.add(process);
        else g.suspended.delete(process);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `AutoScalingGroupNames.member.N` (each made if unknown) or every group, narrowed by
 * `Filters.member.N` (`tag:<key>`, `tag-key`, `tag-value`: all must hold, any value of one), in
 * pages of `MaxRecords` (1-100, default 50) continued with `NextToken`.
 */
function describe(s: FakeResources, p: Record<string, string>): Reply {
  const names = [...new Set(indexed(p, 'AutoScalingGroupNames.member'))];
  const filters = queryFilters(p, 'Filters.member', 'Values.member');
  const bad = filters.find(
    (f) => !f.name.startsWith('tag:') && f.name !== 'tag-key' && f.name !== 'tag-value',
  );
  if (bad)
    return queryError(ASG_NS, 'ValidationError', 400, `Filter name '${bad.name}' is invalid.`);
  const max = p.MaxRecords === undefined ? 50 : Number(p.MaxRecords);
  if (!(Number.isInteger(max) && max >= 1 && max <= 100))
    return queryError(ASG_NS, 'ValidationError', 400, 'MaxRecords must be between 1 and 100.');
  for (const name of names) s.group(name);
  const candidates = names.length > 0 ? names : [...s.groups.keys()];
  const matching = candidates.filter((name) => {
    const tags = s.tagsOf('group', name);
    return filters.every((f) =>
      f.name === 'tag-key'
        ? Object.keys(tags).some((k) => f.values.includes(k))
        : f.name === 'tag-value'
          ? Object.values(tags).some((v) => f.values.includes(v))
          : f.values.includes(tags[f.name.slice(4)] as string),
    );
  });
  const got = page(matching, p.NextToken, max, 'autoscaling:DescribeAutoScalingGroups');
  if (!got) return queryError(ASG_NS, 'InvalidNextToken', 400, 'The token is invalid.');
  const members = got.items
    .map((name) => {
      const g = s.group(name);
      return member(name, g, Number(s.show(g.inService)), s.tagsOf('group', name));
    })
    .join('');
  return {
    body:
      `<DescribeAutoScalingGroupsResponse xmlns="${ASG_NS}"><DescribeAutoScalingGroupsResult>` +
      `<AutoScalingGroups>${members}</AutoScalingGroups>` +
      (got.next ? `<NextToken>${got.next}</NextToken>` : '') +
      `</DescribeAutoScalingGroupsResult>` +
      `<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`,
  };
}

function member(name: string, g: Group, inService: number, tags: Tags): string {
  const uuid = createHash('sha256')
    .update(name)
    .digest('hex')
    .slice(0, 32)
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  return (
    `<member><AutoScalingGroupName>${xml(name)}</AutoScalingGroupName>` +
    `<AutoScalingGroupARN>arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${uuid}:autoScalingGroupName/${xml(name)}</AutoScalingGroupARN>` +
    `<DesiredCapacity>${g.desired}</DesiredCapacity><MinSize>${g.min}</MinSize><MaxSize>${g.max}</MaxSize>` +
    `<DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>${REGION}a</member></AvailabilityZones>` +
    `<HealthCheckType>EC2</HealthCheckType><CreatedTime>2026-01-01T00:00:00.000Z</CreatedTime><Instances>` +
    Array.from(
      { length: inService },
      (_, i) =>
        `<member><InstanceId>i-0000000000000000${i}</InstanceId><LifecycleState>InService</LifecycleState></member>`,
    ).join('') +
    `</Instances><SuspendedProcesses>` +
    [...g.suspended].map((p) => `<member><ProcessName>${p}</ProcessName></member>`).join('') +
    `</SuspendedProcesses><Tags>` +
    Object.entries(tags)
      .map(
        ([k, v]) =>
          `<member><ResourceId>${xml(name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType>` +
          `<Key>${xml(k)}</Key><Value>${xml(v)}</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>`,
      )
      .join('') +
    `</Tags></member>`
  );
}
