import { allRuns, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { REDIS_SERVER_AVAILABLE } from './support/redis';
import { ask, SentinelTopology, startSentinelTopology } from './support/redis-topologies';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** Needs redis-server (run as server and as sentinel); CI has it (.ci/run). */
const describeWithRedisServer =
  REDIS_SERVER_AVAILABLE || process.env.CI === 'true' ? describe : describe.skip;
if (!REDIS_SERVER_AVAILABLE && process.env.CI !== 'true') {
  console.warn('SKIPPED "Redis through Sentinel": redis-server is not installed.');
}

/** This suite's ports (7100-7119): a primary, its replica, three sentinels. */
const PORTS = {
  primary: 7100,
  replica: 7101,
  sentinels: [7110, 7111, 7112] as [number, number, number],
};

async function metric(t: TestApp, name: string): Promise<number> {
  const text = (await t.http.get('/v1/minion/metrics').expect(200)).text;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

describeWithRedisServer('Redis through Sentinel: a failover under minion', () => {
  let topology: SentinelTopology;
  let t: TestApp | undefined;

  beforeAll(async () => {
    topology = await startSentinelTopology(PORTS);
  }, 120_000);

  afterAll(async () => {
    await stopTestApp(t);
    await topology?.stop();
  });

  it('reconnects to the promoted replica by itself and runs every occurrence once, the failover window included', async () => {
    t = await startTestApp({
      clock: new ManualClock('2026-01-05T10:00:10Z'),
      config: {
        queueProvider: {
          type: 'redis',
          config: {
            ...topology.config,
            keyPrefix: 'sentinel-test',
            lockDuration: 10_000,
            stalledInterval: 2_000,
          },
        },
        scheduler: { retryDelay: '10ms', shutdownTimeout: '1s' },
      },
    });
    const ready = await t.http.get('/v1/minion/health/ready').expect(200);
    expect(JSON.stringify(ready.body)).toContain(`redis sentinel ${topology.name} via`);
    const jobs = [await createJob(t), await createJob(t), await createJob(t)];

    await tickAt(t, '2026-01-05T10:01:00Z');
    await tickAt(t, '2026-01-05T10:02:00Z');
    await drain(t);
    const before = await topology.primaryPort();
    expect(before).toBe(PORTS.primary);
    // The queue lives on the primary and is copied to the replica.
    expect(await ask(PORTS.primary, 'DBSIZE')).toBeGreaterThan(0);

    const promoted = await topology.failover();
    expect(promoted).toBe(PORTS.replica);
    // The minute right after the failover: its tick may find the connection still on the
    // demoted primary and fail; the scheduler keeps its occurrences for the next tick.
    await tickAt(t, '2026-01-05T10:03:00Z').catch(() => undefined);
    // Nobody reconnects minion: it finds the new primary through the sentinels.
    await waitFor(async () => (await t!.http.get('/v1/minion/health/ready')).status === 200);
    await waitFor(async () => (await metric(t!, 'minion_redis_failovers_total')) >= 1);
    await tickAt(t, '2026-01-05T10:04:00Z');
    await tickAt(t, '2026-01-05T10:05:00Z');
    await drain(t);

    // The old primary now follows the new one; minion's keys are on the new primary.
    await waitFor(
      async () => ((await ask(PORTS.primary, 'ROLE')) as string[] | null)?.[0] === 'slave',
    );
    // BullMQ's connections followed too: the new primary holds all 15 completed occurrences
    // (had the queue kept writing to the old primary, its resync would have erased some).
    expect(await ask(PORTS.replica, 'ZCARD', 'sentinel-test:test:occurrences:completed')).toBe(15);
    // What minion wrote after the failover is on the new primary, not lost with the old one's
    // resync: the last scheduled minute is 10:05.
    expect(await ask(PORTS.replica, 'GET', 'sentinel-test:test:scheduler:last-minute')).toBe(
      String(Date.parse('2026-01-05T10:05:00Z')),
    );
    for (const id of jobs) {
      const minutes = (await allRuns(t, id))
        .filter((r) => r.status === 'succeeded')
        .map((r) => r.scheduled_for?.slice(11, 16))
        .sort();
      // Every minute once: none lost in the failover window, none run twice.
      expect(minutes).toEqual(['10:01', '10:02', '10:03', '10:04', '10:05']);
    }
    expect(await metric(t, 'minion_redis_failovers_total')).toBe(1);
    expect(await metric(t, 'minion_redis_reconnects_total')).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
