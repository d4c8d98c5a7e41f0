import { allRuns, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { redisSettings } from '../src/coordination/coordination.config';
import { RedisConnections } from '../src/coordination/redis/redis-connections';
import { REDIS_SERVER_AVAILABLE } from './support/redis';
import { ask, ClusterTopology, startCluster } from './support/redis-topologies';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** Needs redis-server and redis-cli; CI has them (.ci/run). */
const describeWithRedisServer =
  REDIS_SERVER_AVAILABLE || process.env.CI === 'true' ? describe : describe.skip;
if (!REDIS_SERVER_AVAILABLE && process.env.CI !== 'true') {
  console.warn('SKIPPED "Redis Cluster": redis-server is not installed.');
}

/** This suite's ports (7130-7139; bus ports 17130-17139): three masters. */
const PORTS = [7130, 7131, 7132];

/** Every key on every master of the cluster. */
async function allKeys(): Promise<{ port: number; key: string }[]> {
  const found: { port: number; key: string }[] = [];
  for (const port of PORTS) {
    const keys = (await ask(port, 'KEYS', '*')) as string[] | null;
    for (const key of keys ?? []) found.push({ port, key });
  }
  return found;
}

describeWithRedisServer('Redis Cluster (three masters)', () => {
  let cluster: ClusterTopology;
  let t: TestApp | undefined;

  beforeAll(async () => {
    cluster = await startCluster(PORTS);
  }, 120_000);

  afterAll(async () => {
    await stopTestApp(t);
    await cluster?.stop();
  });

  it('runs every occurrence once with all of its keys in the hash slot of its prefix', async () => {
    t = await startTestApp({
      clock: new ManualClock('2026-01-05T10:00:10Z'),
      config: {
        queueProvider: { type: 'redis', config: { cluster: cluster.nodes.slice(0, 1) } },
        scheduler: { retryDelay: '10ms', shutdownTimeout: '1s' },
      },
    });
    // Ready once the cluster client has its slots (a probe right after the start may see 503).
    const app = t;
    await waitFor(async () => (await app.http.get('/v1/minion/health/ready')).status === 200);
    const ready = await t.http.get('/v1/minion/health/ready').expect(200);
    expect(JSON.stringify(ready.body)).toContain('redis cluster 127.0.0.1:7130');
    const jobs = [await createJob(t), await createJob(t)];
    await tickAt(t, '2026-01-05T10:01:00Z');
    await tickAt(t, '2026-01-05T10:02:00Z');
    await t.authed.patch(`/v1/minion/acct1/jobs/g/${jobs[0]}`).expect(202);
    await drain(t);
    for (const id of jobs) {
      const minutes = (await allRuns(t, id))
        .filter((r) => r.status === 'succeeded' && r.trigger === 'schedule')
        .map((r) => r.scheduled_for?.slice(11, 16))
        .sort();
      expect(minutes).toEqual(['10:01', '10:02']);
    }
    expect((await allRuns(t, jobs[0])).filter((r) => r.trigger === 'manual')).toHaveLength(1);

    // The prefix was derived as {minion}: BullMQ's keys and minion's own (marker, claims,
    // locks' marks) are all in that tag's slot, on one master.
    const keys = await allKeys();
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.every((k) => k.key.startsWith('{minion}:test:'))).toBe(true);
    const slot = await ask(PORTS[0], 'CLUSTER', 'KEYSLOT', 'minion');
    for (const k of keys) {
      expect(await ask(PORTS[0], 'CLUSTER', 'KEYSLOT', k.key)).toBe(slot);
    }
    expect(new Set(keys.map((k) => k.port)).size).toBe(1);
    expect(keys.map((k) => k.key)).toContain('{minion}:test:scheduler:last-minute');
  }, 180_000);

  it('connects at once, every time (no ready check refused while a node connection connects)', async () => {
    // ioredis's own ready check, sent to a node connection still connecting, was refused without
    // the offline queue, and the client started over with backoff: 6 of 15 starts took 1-3.7 s.
    const settings = redisSettings({ cluster: cluster.nodes.slice(0, 1) }, 'ready-check');
    const took: number[] = [];
    for (let i = 0; i < 10; i++) {
      const redis = new RedisConnections(settings, undefined, 30_000);
      const started = Date.now();
      await redis.ready(30_000);
      took.push(Date.now() - started);
      expect(await redis.clusterProblem()).toBeNull();
      await redis.close();
    }
    expect(took.filter((ms) => ms >= 1000)).toEqual([]);
  }, 120_000);

  it('is not ready while a master is lost and its slots are not served (cluster_state:fail)', async () => {
    const app = t!;
    await app.http.get('/v1/minion/health/ready').expect(200);
    await cluster.masters[2].kill();
    // The other masters mark it failed after cluster-node-timeout (2 s); readiness says why.
    await waitFor(async () => {
      const res = await app.http.get('/v1/minion/health/ready');
      return res.status === 503 && JSON.stringify(res.body).includes('cluster_state:fail');
    }, 60_000);
  }, 120_000);
});
