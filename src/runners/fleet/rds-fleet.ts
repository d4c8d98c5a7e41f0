import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { changeDatabase } from '../aws/rds-calls';
import { FleetOps, Matched } from './fleet-run';
import { Pacing } from './pacing';
import { TagSelector } from './tag-selector';
import { arnResource, chunks, findTagged } from './tagged-resources';

type Action = 'start' | 'stop';
type Kind = 'instance' | 'cluster';

const TARGET = { start: 'available', stop: 'stopped' } as const;
const TRANSIT = { start: 'starting', stop: 'stopping' } as const;
/** Statuses a database cannot leave for the target on its own: the wait ends there. */
const ELSEWHERE = ['deleting', 'deleted', 'failed', 'incompatible-restore', 'storage-full'];
/** Identifiers per `db-instance-id` / `db-cluster-id` filter (RDS takes up to 100). */
const PER_FILTER = 100;

interface Found {
  kind: Kind;
  status: string | null;
  /** For an instance of an Aurora cluster: the cluster (only the cluster can be started). */
  cluster?: string;
}

/**
 * RDS DB instances and Aurora clusters by tag: found through the Resource Groups Tagging API
 * (`rds:db`, `rds:cluster`), described with `db-instance-id` / `db-cluster-id` filters (100 a
 * call), acted on one by one (RDS has no batch start or stop). An instance of an Aurora cluster
 * is left to its cluster (said in its record); one already starting (stopping) is waited for,
 * not asked again.
 */
export function rdsFleet(
  rds: RDSClient,
  tagging: ResourceGroupsTaggingAPIClient,
  pacing: Pacing,
  account: string,
  selector: TagSelector,
  action: Action,
): FleetOps {
  const known = new Map<string, Found>();
  const describe = async (ids: readonly string[], signal: AbortSignal) => {
    const found = new Map<string, Found>();
    const instances = ids.filter((id) => known.get(id)?.kind !== 'cluster');
    const clusters = ids.filter((id) => known.get(id)?.kind !== 'instance');
    for (const part of chunks(instances, PER_FILTER)) {
      await pacing.take(account, 'rds:Describe', 1, signal);
      const res = await rds.send(
        new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: part }] }),
        { abortSignal: signal },
      );
      for (const db of res.DBInstances ?? []) {
        if (!db.DBInstanceIdentifier) continue;
        const aurora = !!db.DBClusterIdentifier && (db.Engine ?? '').startsWith('aurora');
        found.set(db.DBInstanceIdentifier, {
          kind: 'instance',
          status: db.DBInstanceStatus ?? null,
          ...(aurora ? { cluster: db.DBClusterIdentifier } : {}),
        });
      }
    }
    for (const part of chunks(clusters, PER_FILTER)) {
      await pacing.take(account, 'rds:Describe', 1, signal);
      const res = await rds.send(
        new DescribeDBClustersCommand({ Filters: [{ Name: 'db-cluster-id', Values: part }] }),
        { abortSignal: signal },
      );
      for (const c of res.DBClusters ?? []) {
        if (c.DBClusterIdentifier) {
          found.set(c.DBClusterIdentifier, { kind: 'cluster', status: c.Status ?? null });
        }
      }
    }
    return found;
  };
  return {
    kind: 'database',
    state: TARGET[action],
    batchSize: 1,
    async resolve(signal): Promise<Matched[]> {
      const tagged = await findTagged(
        tagging,
        pacing,
        account,
        selector,
        ['rds:db', 'rds:cluster'],
        signal,
      );
      const tags = new Map<string, Record<string, string>>();
      for (const t of tagged) {
        const [type, id] = arnResource(t.arn).split(':');
        if (!id) continue;
        known.set(id, { kind: type === 'cluster' ? 'cluster' : 'instance', status: null });
        tags.set(id, t.tags);
      }
      const found = await describe([...tags.keys()], signal);
      return [...found].map(([id, f]) => {
        known.set(id, f);
        const leftAlone = f.cluster
          ? `an instance of Aurora cluster ${f.cluster}: the cluster is started and stopped, not its instances`
          : undefined;
        return {
          id,
          state: f.status,
          tags: tags.get(id) ?? {},
          ...(leftAlone ? { leftAlone } : {}),
        };
      });
    },
    isAt: (status) => status === TARGET[action],
    onTheWay: (status) => status === TRANSIT[action],
    async act([id], signal) {
      const kind = known.get(id)?.kind ?? 'instance';
      await pacing.take(account, 'rds:Act', 1, signal);
      await changeDatabase(rds, action, kind, id, signal);
    },
    async describe(ids, signal) {
      const found = await describe(ids, signal);
      return new Map([...found].map(([id, f]) => [id, f.status]));
    },
    judge(status) {
      if (status === TARGET[action]) return 'reached';
      if (status !== null && ELSEWHERE.includes(status)) return 'elsewhere';
      return 'pending';
    },
  };
}
