import type { RecordedRequest } from './fake-aws';
import type { FakeResources, Moving, Tags } from './fake-aws-resources';
import { ACCOUNT, page, queryError, queryFilters, RDS_NS, REGION, Reply, xml } from './fake-wire';

/** DB instances and Aurora clusters: how each is named, described and moved. */
const KINDS = {
  instance: {
    idParam: 'DBInstanceIdentifier',
    idFilter: 'db-instance-id',
    tagKind: 'db',
    arn: 'db',
    engine: 'postgres',
    list: 'DBInstances',
    member: 'DBInstance',
    statusField: 'DBInstanceStatus',
    arnField: 'DBInstanceArn',
    extra: '<DBInstanceClass>db.t3.micro</DBInstanceClass>',
  },
  cluster: {
    idParam: 'DBClusterIdentifier',
    idFilter: 'db-cluster-id',
    tagKind: 'cluster',
    arn: 'cluster',
    engine: 'aurora-postgresql',
    list: 'DBClusters',
    member: 'DBCluster',
    statusField: 'Status',
    arnField: 'DBClusterArn',
    extra: '<EngineMode>provisioned</EngineMode>',
  },
} as const;

type Kind = keyof typeof KINDS;

/** RDS query actions: describes of one or many (filters, pages), start and stop of one. */
export function rdsReply(s: FakeResources, r: RecordedRequest): Reply | undefined {
  switch (r.action) {
    case 'DescribeDBInstances':
      return describe(s, 'instance', r.params);
    case 'DescribeDBClusters':
      return describe(s, 'cluster', r.params);
    case 'StartDBInstance':
    case 'StopDBInstance':
      return change(s, 'instance', r.action, r.params);
    case 'StartDBCluster':
    case 'StopDBCluster':
      return change(s, 'cluster', r.action, r.params);
    default:
      return undefined;
  }
}

function arnOf(kind: Kind, id: string): string {
  return `arn:aws:rds:${REGION}:${ACCOUNT}:${KINDS[kind].arn}:${id}`;
}

function lookup(s: FakeResources, kind: Kind, id: string): Moving {
  return kind === 'instance' ? s.database(id) : s.cluster(id);
}

/**
 * The one named by identifier (made available if unknown), or all of them narrowed by
 * `Filters.Filter.N` (`db-instance-id` / `db-cluster-id`: identifiers or ARNs; `engine`), in
 * pages of `MaxRecords` (20-100, default 100) continued with `Marker`.
 */
function describe(s: FakeResources, kind: Kind, p: Record<string, string>): Reply {
  const k = KINDS[kind];
  const action = kind === 'instance' ? 'DescribeDBInstances' : 'DescribeDBClusters';
  const filters = queryFilters(p, 'Filters.Filter', 'Values.Value');
  const bad = filters.find((f) => f.name !== k.idFilter && f.name !== 'engine');
  if (bad) return invalid(`Unrecognized filter name: ${bad.name}`);
  const max = p.MaxRecords === undefined ? 100 : Number(p.MaxRecords);
  if (!(Number.isInteger(max) && max >= 20 && max <= 100))
    return invalid(`Invalid value ${p.MaxRecords} for MaxRecords. Must be between 20 and 100`);
  const named = p[k.idParam];
  if (named !== undefined) lookup(s, kind, named);
  const all =
    named !== undefined ? [named] : [...(kind === 'instance' ? s.databases : s.clusters).keys()];
  const matching = all.filter((id) =>
    filters.every((f) =>
      f.name === 'engine'
        ? f.values.includes(k.engine)
        : f.values.some((v) => v === id || v === arnOf(kind, id)),
    ),
  );
  const got = page(matching, p.Marker, max, `rds:${action}`);
  if (!got) return invalid('The marker is not valid');
  const members = got.items
    .map((id) => member(kind, id, s.show(lookup(s, kind, id)), s.tagsOf(k.tagKind, id)))
    .join('');
  return {
    body: result(
      action,
      `<${k.list}>${members}</${k.list}>` + (got.next ? `<Marker>${got.next}</Marker>` : ''),
    ),
  };
}

function member(kind: Kind, id: string, status: string, tags: Tags): string {
  const k = KINDS[kind];
  const idField = k.idParam;
  const tagList = Object.entries(tags)
    .map(([key, v]) => `<Tag><Key>${xml(key)}</Key><Value>${xml(v)}</Value></Tag>`)
    .join('');
  return (
    `<${k.member}><${idField}>${id}</${idField}><${k.statusField}>${status}</${k.statusField}>` +
    `<Engine>${k.engine}</Engine>${k.extra}<${k.arnField}>${arnOf(kind, id)}</${k.arnField}>` +
    `<TagList>${tagList}</TagList></${k.member}>`
  );
}

/** Start / stop of one: an injected failure refuses it; otherwise starting or stopping. */
function change(s: FakeResources, kind: Kind, action: string, p: Record<string, string>): Reply {
  const k = KINDS[kind];
  const id = p[k.idParam];
  const failure = s.failureFor(`rds:${action}`, [id]);
  if (failure)
    return queryError(
      RDS_NS,
      failure.code,
      failure.status,
      failure.message ?? `${failure.code} for ${k.member} ${id} (fake AWS)`,
    );
  const start = action.startsWith('Start');
  const moving = s.move(
    lookup(s, kind, id),
    start ? 'starting' : 'stopping',
    `rds:${action}`,
    start ? 'available' : 'stopped',
  );
  return { body: result(action, member(kind, id, moving.state, s.tagsOf(k.tagKind, id))) };
}

function result(action: string, inner: string): string {
  return (
    `<${action}Response xmlns="${RDS_NS}"><${action}Result>${inner}</${action}Result>` +
    `<ResponseMetadata><RequestId>{{requestId}}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function invalid(message: string): Reply {
  return queryError(RDS_NS, 'InvalidParameterValue', 400, message);
}
