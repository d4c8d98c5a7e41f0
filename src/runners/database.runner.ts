import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  waitUntilDBClusterAvailable,
  waitUntilDBInstanceAvailable,
} from '@aws-sdk/client-rds';
import { TargetState } from '../domain/outcome';
import { describedPoll, waitForState } from './aws/wait-for-state';
import { RunnerError } from '../common/errors';
import { DryRunReport, PermissionCheck } from '../domain/dry-run';
import { describeChecked, notChecked, sentence } from './aws/dry-run-checks';
import { RunContext, RunResult } from './runner';
import { AwsRunner, Fleet, Selection } from './aws-runner';
import { rdsFleet } from './fleet/rds-fleet';
import { awsRunnerError } from './aws/aws-errors';
import { oneOf, required } from './aws/details';
import { changeDatabase } from './aws/rds-calls';
import { ResourceAction } from '../domain/resource-action';

const ACTIONS = ['start', 'stop'] as const;
const TYPES = ['instance', 'cluster'] as const;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

/** The status each action aims at, and the one on the way there (no second call needed). */
const TARGET = { start: 'available', stop: 'stopped' } as const;
const TRANSIT = { start: 'starting', stop: 'stopping' } as const;
/** Statuses in which start (or stop) has nothing left to do. */
const DONE: Record<(typeof ACTIONS)[number], string[]> = {
  start: [TARGET.start, TRANSIT.start],
  stop: [TARGET.stop, TRANSIT.stop],
};
/** While stopping, these mean someone else acted or the database broke: stop waiting. */
const NOT_STOPPING = ['starting', 'deleting', 'deleted', 'failed', 'rebooting', 'upgrading'];

interface Target {
  kind: (typeof TYPES)[number];
  status: string;
  /** For an instance that belongs to an Aurora cluster. */
  cluster?: string;
}

/**
 * `type: "database"`: RDS StartDBInstance / StopDBInstance on `instance_id`, or StartDBCluster /
 * StopDBCluster when the identifier is an Aurora cluster (`database_type: cluster`, or found by
 * describing it). Starting an available database or stopping a stopped one succeeds with
 * "already" and no call; one already starting (stopping) is not asked again, only waited for.
 * The wait: the SDK's DBInstanceAvailable / DBClusterAvailable waiters for start, a described
 * poll for `stopped` (RDS has no waiter for it).
 */
export type DatabaseDetails = {
  action: (typeof ACTIONS)[number];
  /** Undefined: find out by describing the identifier. */
  kind?: Target['kind'];
} & Selection<string>;

export class DatabaseRunner extends AwsRunner<DatabaseDetails> {
  // Starting or stopping a database takes minutes, Aurora clusters longer.
  static override readonly waitDefaults = {
    timeoutMs: 30 * 60_000,
    minDelayMs: 15_000,
    maxDelayMs: 60_000,
  };
  readonly type = 'database';

  override actsOn(d: DatabaseDetails): ResourceAction {
    return { resource: this.resourceName('database', d, () => d.id as string), action: d.action };
  }

  parseDetails(details: Record<string, string>): DatabaseDetails {
    const selection = this.selection(details, 'instance_id', () =>
      required(
        details,
        'instance_id',
        IDENTIFIER,
        'an RDS DB instance or Aurora cluster identifier',
      ),
    );
    return {
      action: oneOf(details, 'database_action', ACTIONS),
      kind:
        details.database_type === undefined ? undefined : oneOf(details, 'database_type', TYPES),
      ...selection,
    };
  }

  private fleetOps(account: string, d: DatabaseDetails & { selector: Fleet }) {
    return rdsFleet(
      this.aws.rds(account),
      this.aws.tagging(account),
      this.pacing,
      account,
      d.selector.tags,
      d.action,
    );
  }

  /** Describes the database (instance or Aurora cluster); RDS has no dry run for the action. */
  override async dryRun(ctx: RunContext, d: DatabaseDetails): Promise<DryRunReport> {
    if (d.selector) {
      const verb = d.action === 'start' ? 'Start' : 'Stop';
      return this.fleetDryRun(ctx, this.fleetOps(ctx.account, d), d.selector, d.action, {
        find: 'tag:GetResources',
        act: async () => [notChecked(`rds:${verb}DBInstance`, 'RDS')],
      });
    }
    const { account, signal } = ctx;
    const { action, id, kind } = d;
    const rds = this.aws.rds(account);
    const checks: PermissionCheck[] = [];
    const described = await describeChecked(
      kind === 'cluster' ? 'rds:DescribeDBClusters' : 'rds:DescribeDBInstances',
      this.aws.identity(account),
      checks,
      () => this.find(rds, id, kind, signal),
    );
    const target = described.value;
    const verb = action === 'start' ? 'Start' : 'Stop';
    checks.push(
      notChecked(`rds:${verb}DB${target?.kind === 'cluster' ? 'Cluster' : 'Instance'}`, 'RDS'),
    );
    let effect = `${action} it`;
    if (target?.cluster)
      effect = `fail (an instance of Aurora cluster ${target.cluster}: ${action} the cluster)`;
    else if (target && DONE[action].includes(target.status)) effect = 'change nothing (already)';
    const subject = target ? `${target.kind} ${id}` : id;
    const would = sentence(subject, action, target?.status ?? null, described, checks[0], effect);
    return { state: target?.status ?? null, would, checks };
  }

  async run(ctx: RunContext, d: DatabaseDetails): Promise<RunResult> {
    if (d.selector) {
      return this.runFleet(this.fleetOps(ctx.account, d), d.selector, ctx, `${d.action} %s`);
    }
    const { account, signal } = ctx;
    const { action, id, kind } = d;
    const rds = this.aws.rds(account);
    const what = `RDS ${action} of ${id}`;
    try {
      const target = await this.find(rds, id, kind, signal);
      if (target.cluster) {
        throw new RunnerError(
          `${id} is an instance of Aurora cluster ${target.cluster}: ${action} the cluster instead ` +
            `(instance_id: "${target.cluster}", database_type: "cluster")`,
          true,
        );
      }
      const wanted = this.target(rds, action, target, id);
      if (wanted.already || target.status === TRANSIT[action]) {
        return {
          output: `${action} ${target.kind} ${id}: already ${target.status}`,
          target: wanted,
        };
      }
      const res = await changeDatabase(rds, action, target.kind, id, signal);
      return {
        output: `${action} ${target.kind} ${id}: ${target.status} -> ${res.status ?? 'requested'}`,
        requestId: res.requestId,
        target: wanted,
      };
    } catch (err) {
      throw awsRunnerError(err, what, this.aws.identity(account));
    }
  }

  private target(
    rds: RDSClient,
    action: DatabaseDetails['action'],
    found: Target,
    id: string,
  ): TargetState {
    const state = TARGET[action];
    const status = (t: Target | null) => t?.status ?? 'deleted';
    const waiter =
      action === 'stop'
        ? describedPoll(
            (client: RDSClient) => this.find(client, id, found.kind).catch(goneAsNull),
            (t: Target | null) =>
              t?.status === state
                ? 'reached'
                : NOT_STOPPING.includes(status(t))
                  ? 'elsewhere'
                  : 'pending',
          )
        : found.kind === 'cluster'
          ? (p: Parameters<typeof waitUntilDBClusterAvailable>[0]) =>
              waitUntilDBClusterAvailable(p, { DBClusterIdentifier: id })
          : (p: Parameters<typeof waitUntilDBInstanceAvailable>[0]) =>
              waitUntilDBInstanceAvailable(p, { DBInstanceIdentifier: id });
    return {
      resource: `${found.kind} ${id}`,
      state,
      before: found.status,
      already: found.status === state,
      wait: (limits, signal) => waitForState(rds, limits, signal, waiter, statusIn),
    };
  }

  private async find(
    rds: RDSClient,
    id: string,
    kind: Target['kind'] | undefined,
    signal?: AbortSignal,
  ): Promise<Target> {
    if (kind !== 'cluster') {
      try {
        const res = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }), {
          abortSignal: signal,
        });
        const db = res.DBInstances?.[0];
        if (db) {
          const aurora = !!db.DBClusterIdentifier && (db.Engine ?? '').startsWith('aurora');
          return {
            kind: 'instance',
            status: db.DBInstanceStatus ?? 'unknown',
            cluster: aurora ? db.DBClusterIdentifier : undefined,
          };
        }
      } catch (err) {
        if ((err as Error).name !== 'DBInstanceNotFoundFault' || kind === 'instance') throw err;
      }
    }
    try {
      const res = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }), {
        abortSignal: signal,
      });
      const cluster = res.DBClusters?.[0];
      if (cluster) return { kind: 'cluster', status: cluster.Status ?? 'unknown' };
    } catch (err) {
      if ((err as Error).name !== 'DBClusterNotFoundFault') throw err;
    }
    throw new RunnerError(`no RDS DB instance or Aurora cluster named ${id}`, true);
  }
}

/** The status in a describe answer: an instance's, a cluster's, or a Target of the stop poll. */
function statusIn(response: unknown): string | null {
  const r = response as {
    DBInstances?: { DBInstanceStatus?: string }[];
    DBClusters?: { Status?: string }[];
    status?: string;
  } | null;
  if (r === null) return 'deleted';
  return r.status ?? r.DBInstances?.[0]?.DBInstanceStatus ?? r.DBClusters?.[0]?.Status ?? null;
}

/** A database that no longer exists is an answer of the poll (it went elsewhere); other errors are retried. */
function goneAsNull(err: unknown): null {
  const name = (err as Error)?.name ?? '';
  if ((err instanceof RunnerError && err.permanent) || /NotFound/.test(name)) return null;
  throw err;
}
