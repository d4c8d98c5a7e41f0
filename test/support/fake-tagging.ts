import type { RecordedRequest } from './fake-aws';
import type { FakeResources, TaggedKind, Tags } from './fake-aws-resources';
import { ACCOUNT, jsonError, page, REGION, Reply } from './fake-wire';

interface GetResourcesInput {
  TagFilters?: { Key?: string; Values?: string[] }[];
  ResourceTypeFilters?: string[];
  ResourcesPerPage?: number;
  PaginationToken?: string;
}

/** The tagging API's resource type (`service:type`) and ARN of each kind the fake tags. */
const TYPES: Record<Exclude<TaggedKind, 'group'>, { type: string; arn: (id: string) => string }> = {
  instance: {
    type: 'ec2:instance',
    arn: (id) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`,
  },
  db: { type: 'rds:db', arn: (id) => `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}` },
  cluster: { type: 'rds:cluster', arn: (id) => `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}` },
  // `cluster/name`: the long ARN format, the one that can carry tags.
  service: { type: 'ecs:service', arn: (id) => `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${id}` },
};

/**
 * Resource Groups Tagging API (JSON 1.1, `ResourceGroupsTaggingAPI_20170126`): GetResources over
 * the tagged EC2 instances, RDS DB instances and clusters and ECS services. `TagFilters` must all
 * hold (a key with any of its values, or just the key without values); `ResourceTypeFilters`
 * (`rds:db`, `rds:cluster`, `ecs:service`, `ec2:instance`, or a service: `rds`) any of them;
 * pages of `ResourcesPerPage` (1-100, default 50) continued with `PaginationToken`, which is
 * empty on the last page. Auto Scaling groups are left out: minion finds them with
 * DescribeAutoScalingGroups' tag filters.
 */
export function taggingReply(s: FakeResources, r: RecordedRequest): Reply {
  if (r.action !== 'GetResources')
    return jsonError('UnknownOperationException', `fake AWS has no tagging:${r.action}`);
  const j = (r.json ?? {}) as GetResourcesInput;
  const perPage = j.ResourcesPerPage ?? 50;
  if (!(Number.isInteger(perPage) && perPage >= 1 && perPage <= 100))
    return jsonError('InvalidParameterException', 'ResourcesPerPage must be between 1 and 100.');
  const tagFilters = j.TagFilters ?? [];
  if (tagFilters.length > 50)
    return jsonError('InvalidParameterException', 'TagFilters can have at most 50 items.');
  if (tagFilters.some((f) => !f.Key || (f.Values?.length ?? 0) > 20))
    return jsonError(
      'InvalidParameterException',
      'A tag filter needs a Key and at most 20 Values.',
    );
  const types = j.ResourceTypeFilters ?? [];
  const all: { arn: string; type: string; tags: Tags }[] = [];
  for (const [key, tags] of s.tags) {
    const at = key.indexOf(':');
    const kind = TYPES[key.slice(0, at) as keyof typeof TYPES];
    if (kind) all.push({ arn: kind.arn(key.slice(at + 1)), type: kind.type, tags });
  }
  const matching = all.filter(
    (res) =>
      (types.length === 0 ||
        types.some((t) => (t.includes(':') ? res.type === t : res.type.startsWith(`${t}:`)))) &&
      tagFilters.every(
        (f) =>
          Object.prototype.hasOwnProperty.call(res.tags, f.Key as string) &&
          (!f.Values?.length || f.Values.includes(res.tags[f.Key as string])),
      ),
  );
  const got = page(matching, j.PaginationToken, perPage, 'tagging:GetResources');
  if (!got) return jsonError('InvalidParameterException', 'The pagination token is not valid.');
  return {
    body: JSON.stringify({
      PaginationToken: got.next ?? '',
      ResourceTagMappingList: got.items.map((res) => ({
        ResourceARN: res.arn,
        Tags: Object.entries(res.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
    }),
  };
}
