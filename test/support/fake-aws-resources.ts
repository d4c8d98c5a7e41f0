import type { RecordedRequest } from './fake-aws';
import { autoScalingReply } from './fake-autoscaling';
import { ec2Reply } from './fake-ec2';
import { ecsReply } from './fake-ecs';
import { rdsReply } from './fake-rds';
import { taggingReply } from './fake-tagging';
import { Reply, statusOf } from './fake-wire';

import type {
  AddOptions,
  Failure,
  FailOptions,
  Group,
  Moving,
  Service,
  TaggedKind,
  Tags,
} from './fake-resource-types';

export type {
  AddOptions,
  FailOptions,
  Group,
  Moving,
  Service,
  TaggedKind,
  Tags,
} from './fake-resource-types';

/**
 * The resources behind the fake AWS endpoint, with state: an action moves a resource to its
 * transitional state (pending, stopping, starting, PROVISIONING, scaling), and it reaches the
 * final one after `settleAfter` describes, so the runners' waits see a real sequence on the wire.
 * Unknown resources named by id start running / available (set them first to test a start);
 * the bulk adders make many tagged ones at once for fleets (found by tag, described in pages).
 */
export class FakeResources {
  readonly instances = new Map<string, Moving>();
  readonly databases = new Map<string, Moving>();
  /** Aurora DB clusters, by identifier. */
  readonly clusters = new Map<string, Moving>();
  /** ECS services: by name as the single setters make them, by `cluster/name` when added. */
  readonly services = new Map<string, Service>();
  readonly tasks = new Map<string, Moving>();
  readonly groups = new Map<string, Group>();
  /** Tags by `kind:id` (see `tagsOf`). */
  readonly tags = new Map<string, Tags>();
  /** The reservation of each added instance (one per `addInstances`, as one launch). */
  readonly reservations = new Map<string, string>();
  /** Clusters that have added services: a service they lack is missing, not made up. */
  readonly serviceClusters = new Set<string>();
  private readonly failures = new Map<string, Failure>();
  private serial = 0;
  /** Describes that show a transitional state before the final one. */
  settleAfter = 1;
  /** The state of an instance nobody set. */
  defaultInstanceState = 'running';
  /** The final state an action's transition ends in, by `service:action` (to make one go elsewhere). */
  readonly endIn = new Map<string, string>();
  /** Describes before settling, by `service:action`, where it differs from `settleAfter` (a slow database). */
  readonly settleFor = new Map<string, number>();

  reset(): void {
    for (const m of [
      this.instances,
      this.databases,
      this.clusters,
      this.services,
      this.tasks,
      this.groups,
      this.tags,
      this.reservations,
      this.failures,
    ])
      m.clear();
    this.serviceClusters.clear();
    this.endIn.clear();
    this.settleFor.clear();
    this.settleAfter = 1;
    this.serial = 0;
  }

  setInstance(id: string, state: string): void {
    this.instances.set(id, { state, left: 0 });
  }

  setDatabase(id: string, status: string): void {
    this.databases.set(id, { state: status, left: 0 });
  }

  setCluster(id: string, status: string): void {
    this.clusters.set(id, { state: status, left: 0 });
  }

  setGroup(name: string, desired: number, min = 0, max = 10): void {
    this.groups.set(name, {
      desired,
      min,
      max,
      inService: { state: String(desired), left: 0 },
      suspended: new Set(),
    });
  }

  /** `count` EC2 instances in one reservation: `addInstances(2500, { tags: { Schedule: 'office-hours' }, state: 'stopped' })`. */
  addInstances(count: number, opts: AddOptions & { state?: string } = {}): string[] {
    const prefix = opts.idPrefix ?? 'i-0';
    const ids = this.make(count, (n) => prefix + n.toString(16).padStart(19 - prefix.length, '0'));
    const reservation = `r-0${(this.serial + 0xf000).toString(16).padStart(16, '0')}`;
    for (const id of ids) {
      this.setInstance(id, opts.state ?? this.defaultInstanceState);
      this.reservations.set(id, reservation);
      this.tag('instance', id, opts.tags);
    }
    return ids;
  }

  /** RDS DB instances: `addDatabases(3, { tags: { Env: 'dev' }, state: 'stopped' })` (status; default available). */
  addDatabases(count: number, opts: AddOptions & { state?: string } = {}): string[] {
    const ids = this.make(count, (n) => `${opts.idPrefix ?? 'fleet-db-'}${pad(n)}`);
    for (const id of ids) {
      this.setDatabase(id, opts.state ?? 'available');
      this.tag('db', id, opts.tags);
    }
    return ids;
  }

  /** Aurora DB clusters: `addClusters(2, { tags: { Env: 'dev' }, state: 'stopped' })`. */
  addClusters(count: number, opts: AddOptions & { state?: string } = {}): string[] {
    const ids = this.make(count, (n) => `${opts.idPrefix ?? 'fleet-cluster-'}${pad(n)}`);
    for (const id of ids) {
      this.setCluster(id, opts.state ?? 'available');
      this.tag('cluster', id, opts.tags);
    }
    return ids;
  }

  /** Auto Scaling groups: `addGroups(5, { tags: { Env: 'dev' }, desired: 2, min: 0, max: 4 })`. */
  addGroups(
    count: number,
    opts: AddOptions & { desired?: number; min?: number; max?: number } = {},
  ): string[] {
    const names = this.make(count, (n) => `${opts.idPrefix ?? 'fleet-asg-'}${pad(n)}`);
    for (const name of names) {
      this.setGroup(name, opts.desired ?? 2, opts.min ?? 0, opts.max ?? 10);
      this.tag('group', name, opts.tags);
    }
    return names;
  }

  /** ECS services of one cluster, by name: `addServices(12, { cluster: 'dev', tags: { Env: 'dev' } })`. */
  addServices(
    count: number,
    opts: AddOptions & { cluster?: string; desired?: number } = {},
  ): string[] {
    const cluster = opts.cluster ?? 'default';
    const names = this.make(count, (n) => `${opts.idPrefix ?? 'fleet-svc-'}${pad(n)}`);
    this.serviceClusters.add(cluster);
    for (const name of names) {
      const desired = opts.desired ?? 2;
      this.services.set(`${cluster}/${name}`, {
        desired,
        running: { state: String(desired), left: 0 },
      });
      this.tag('service', `${cluster}/${name}`, opts.tags);
    }
    return names;
  }

  /** Adds tags to a resource: `tag('instance', 'i-0abc', { Schedule: 'office-hours' })`. */
  tag(kind: TaggedKind, id: string, tags: Tags | undefined): void {
    if (!tags || Object.keys(tags).length === 0) return;
    this.tags.set(`${kind}:${id}`, { ...this.tagsOf(kind, id), ...tags });
  }

  tagsOf(kind: TaggedKind, id: string): Tags {
    return this.tags.get(`${kind}:${id}`) ?? {};
  }

  /**
   * Makes every call of `key` (`ec2:StartInstances`, `rds:StopDBInstance`, `ecs:UpdateService`
   * with id `cluster/name`, ...) that names `id` fail as a whole with `code`, changing nothing:
   * `failAction('ec2:StartInstances', 'i-0abc', 'InsufficientInstanceCapacity')`.
   */
  failAction(key: string, id: string, code: string, opts: FailOptions = {}): void {
    this.failures.set(`${key} ${id}`, {
      code,
      status: opts.status ?? statusOf(code),
      message: opts.message,
      times: opts.times ?? Infinity,
    });
  }

  /** The failure a call of `key` naming `ids` meets (one of its `times` used), if any. */
  failureFor(key: string, ids: string[]): (Failure & { id: string }) | undefined {
    for (const id of ids) {
      const f = this.failures.get(`${key} ${id}`);
      if (f && f.times > 0) {
        f.times--;
        return { ...f, id };
      }
    }
    return undefined;
  }

  /** The answer for the stateful actions; undefined for the rest (the stateless defaults). */
  reply(r: RecordedRequest): Reply | undefined {
    switch (r.service) {
      case 'ec2':
        return ec2Reply(this, r);
      case 'rds':
        return rdsReply(this, r);
      case 'autoscaling':
        return autoScalingReply(this, r);
      case 'ecs':
        return ecsReply(this, r);
      case 'tagging':
        return taggingReply(this, r);
      default:
        return undefined;
    }
  }

  /** Tasks RunTask started: provisioning, running after the settle. */
  started(arns: string[]): void {
    for (const arn of arns)
      this.tasks.set(arn, { state: 'PROVISIONING', next: 'RUNNING', left: this.settleAfter });
  }

  /** An instance by id; one nobody set is made in `defaultInstanceState`. */
  instance(id: string): Moving {
    if (!this.instances.has(id))
      this.instances.set(id, { state: this.defaultInstanceState, left: 0 });
    return this.instances.get(id) as Moving;
  }

  database(id: string): Moving {
    if (!this.databases.has(id)) this.databases.set(id, { state: 'available', left: 0 });
    return this.databases.get(id) as Moving;
  }

  cluster(id: string): Moving {
    if (!this.clusters.has(id)) this.clusters.set(id, { state: 'available', left: 0 });
    return this.clusters.get(id) as Moving;
  }

  group(name: string): Group {
    if (!this.groups.has(name)) this.setGroup(name, 2);
    return this.groups.get(name) as Group;
  }

  /**
   * A service of `cluster` by name or ARN, with its key: an added one, else one by name (made
   * with 2 running if nobody set it), except in a cluster of added services: undefined there.
   */
  service(cluster: string, ref: string): { key: string; service: Service } | undefined {
    const parts = ref.split('/');
    const name = parts[parts.length - 1];
    const inCluster = ref.startsWith('arn:') && parts.length === 3 ? parts[1] : cluster;
    const added = this.services.get(`${inCluster}/${name}`);
    if (added) return { key: `${inCluster}/${name}`, service: added };
    if (!this.services.has(name)) {
      if (this.serviceClusters.has(inCluster)) return undefined;
      this.services.set(name, { desired: 2, running: { state: '2', left: 0 } });
    }
    return { key: name, service: this.services.get(name) as Service };
  }

  /** Starts a transition: `via` now, `to` (or what `endIn` says for `key`) after the settle. */
  move(m: Moving, via: string, key: string, to: string): Moving {
    m.state = via;
    m.next = this.endIn.get(key) ?? to;
    m.left = this.settleFor.get(key) ?? this.settleAfter;
    return m;
  }

  /** The state a describe shows now; a moving resource gets one describe closer to its end. */
  show(m: Moving): string {
    const shown = m.state;
    if (m.next !== undefined && --m.left <= 0) {
      m.state = m.next;
      m.next = undefined;
    }
    return shown;
  }

  private make(count: number, id: (n: number) => string): string[] {
    return Array.from({ length: count }, () => id(++this.serial));
  }
}

function pad(n: number): string {
  return String(n).padStart(4, '0');
}
