import { MINUTE_MS } from '../../src/common/clock';
import { printCounts } from './support/action-counter';
import { BATCH_FROM, SHORT, until } from './support/chaos-cluster';
import { ChaosRedis } from './support/chaos-redis';
import { chaosScenario, QUEUE_MODES } from './support/chaos-scenario';
import { RedisProxy } from './support/redis-proxy';

/**
 * A replica that loses Redis but not the API: c reaches Redis through a TCP proxy, which is cut
 * between two bursts and restored after the next one. While cut, c's readiness fails and it acts
 * on nothing, a and b run the burst due then; once restored c is ready again and acts on the
 * next burst (with CHAOS_BATCH_FROM that burst is one batch, which c may or may not take). Every
 * action counted at the fake AWS endpoint. See docs/faults.md.
 */
const BURST = SHORT ? 30 : 150;

describe('a replica that loses Redis but not the API', () => {
  const s = chaosScenario(
    async () => {
      const redis = await ChaosRedis.start({ appendonly: true });
      const proxy = new RedisProxy({ host: '127.0.0.1', port: redis.port });
      await proxy.start();
      return {
        port: redis.port,
        proxy,
        portOf: (name: string) => (name === 'c' ? proxy.port : undefined),
        beforeClusterStop: () => proxy.restore(),
        stop: async () => {
          await proxy.stop();
          await redis.stop();
        },
      };
    },
    {
      latencyMs: 50,
      speed: SHORT ? 20 : 10,
      lockDuration: 5_000,
      stalledInterval: 1_000,
      concurrency: 4,
    },
  );

  it('stops scheduling and acting, fails readiness, the others carry on; it rejoins when Redis returns', async () => {
    const { counter, cluster } = s;
    const proxy = s.redis.proxy;
    const started = Date.now();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => cluster.replica(name));
    const first = cluster.minuteAfter(5_000);
    const before = await cluster.createBurst(BURST, first);
    const cut = await cluster.createBurst(BURST, first + MINUTE_MS);
    const after = await cluster.createBurst(BURST, first + 5 * MINUTE_MS);
    await cluster.untilClock(first);
    await until('the first burst acted on', () => counter.rebooted(before) === BURST);

    proxy.cut();
    const cutAt = Date.now();
    await until('c unready', async () => (await c.readiness()) === 503);
    const unreadyAfterMs = Date.now() - cutAt;
    expect([await a.readiness(), await b.readiness()]).toEqual([200, 200]);
    // The burst due while c is cut off: a and b run all of it.
    await cluster.untilClock(first + MINUTE_MS);
    await until('the burst due during the cut acted on', () => counter.rebooted(cut) === BURST);
    // Cut across one more minute boundary: c's ticks keep failing, c stays unready.
    await cluster.untilClock(first + 2 * MINUTE_MS, 500);
    expect(await c.readiness()).toBe(503);
    expect(counter.rebootedBy(c.key, cut)).toBe(0);

    proxy.restore();
    const restoredAt = Date.now();
    await until('c ready again', async () => (await c.readiness()) === 200);
    const readyAfterMs = Date.now() - restoredAt;
    expect(cluster.clock.now().getTime()).toBeLessThan(first + 5 * MINUTE_MS);
    // Slower answers spread this burst over every replica's slots, so c's share shows.
    counter.fake.latencyMs = 200;
    await cluster.untilClock(first + 5 * MINUTE_MS);
    await until('the burst after the cut acted on', () => counter.rebooted(after) === BURST);
    // A late duplicate (c sending what it kept during the cut) would show here.
    await new Promise((r) => setTimeout(r, 3_000));

    const all = [...before, ...cut, ...after];
    const counts = counter.counts(all);
    const byC = (set: string[]) => counter.rebootedBy(c.key, set);
    const twice = (set: string[]) =>
      set
        .filter((id) => (counter.reboots.get(id)?.length ?? 0) > 1)
        .map((id) => `${cluster.jobs.get(id)} by ${counter.reboots.get(id)?.join('+')}`)
        .join(' ');
    const batched = await cluster.batchedOccurrences();
    const duplicated = all.filter((id) => (counter.reboots.get(id)?.length ?? 0) > 1);
    printCounts(`replica cut off from Redis (not from the API), ${QUEUE_MODES[0].mode}`, counts, {
      'occurrences in batches': batched,
      'acted on by c before/during/after the cut': `${byC(before)}/${byC(cut)}/${byC(after)}`,
      'c unready after': `${unreadyAfterMs} ms`,
      'c ready again after': `${readyAfterMs} ms`,
      took: `${Math.round((Date.now() - started) / 1000)} s`,
      'longest event-loop stall': await cluster.eventLoopStalls(),
      ...(counts.duplicated > 0 ? { 'jobs acted on twice': twice(all) } : {}),
    });
    if (duplicated.length > 0) process.stdout.write(`${await cluster.explain(duplicated)}\n`);
    expect(counts.duplicated).toBe(0);
    expect(counts.missed).toBe(0);
    expect(byC(cut)).toBe(0);
    expect(batched).toBe(cluster.batchFrom > 0 ? all.length : 0);
    // c takes part again: it acts on some of the burst after the cut. Not with batched ticks
    // (CHAOS_BATCH_FROM): the burst is one batch, run by whichever replica takes it.
    if (BATCH_FROM === 0) expect(byC(after)).toBeGreaterThan(0);
  });
});
