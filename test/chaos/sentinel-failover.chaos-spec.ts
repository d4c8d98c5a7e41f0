import { MINUTE_MS } from '../../src/common/clock';
import { startSentinelTopology } from '../support/redis-topologies';
import { printCounts } from './support/action-counter';
import { SHORT, until } from './support/chaos-cluster';
import { chaosScenario, QUEUE_MODES } from './support/chaos-scenario';

/**
 * A Sentinel failover during a burst of occurrences: a primary, its replica and three
 * sentinels (redis-server --sentinel), three replicas of minion from dist/main.js reaching Redis
 * only through the sentinels, on a test clock. Once part of a burst has acted, SENTINEL FAILOVER;
 * a second burst falls due in the failover's minute. The replicas must find the new primary by
 * themselves, and every occurrence of both bursts act once, counted at the fake AWS endpoint.
 * Ports 7290-7294 (the suite's range; scenarios run one at a time). See docs/faults.md.
 */
const BURST = SHORT ? 60 : 300;
const WINDOW = SHORT ? 20 : 100;
const SPEED = SHORT ? 20 : 10;

describe('a Sentinel failover during a burst', () => {
  const s = chaosScenario(
    async () => {
      const topology = await startSentinelTopology({
        primary: 7290,
        replica: 7291,
        sentinels: [7292, 7293, 7294],
      });
      return { ...topology, port: 7290, address: topology.config };
    },
    { latencyMs: 20, speed: SPEED, lockDuration: 15_000, stalledInterval: 2_000, concurrency: 4 },
  );

  it('the replicas follow the new primary by themselves; every occurrence acts once', async () => {
    const { counter, cluster, redis: topology } = s;
    const started = Date.now();
    const burstMinute = cluster.minuteAfter(5_000);
    const burst = await cluster.createBurst(BURST, burstMinute);
    const window = await cluster.createBurst(WINDOW, burstMinute + MINUTE_MS);
    await cluster.untilClock(burstMinute);
    await until('a quarter of the burst acted on', () => counter.rebooted(burst) >= BURST / 4);
    const actedBeforeFailover = counter.rebooted(burst);
    const failoverStart = Date.now();
    const newPrimary = await topology.failover();
    const failoverMs = Date.now() - failoverStart;
    expect(newPrimary).toBe(7291);

    await until('the whole burst acted on', () => counter.rebooted(burst) === BURST, 120_000);
    await cluster.untilClock(burstMinute + MINUTE_MS);
    await until('the failover window acted on', () => counter.rebooted(window) === WINDOW, 120_000);
    // A late duplicate would show here: give the stalled checks time to hand anything back.
    await new Promise((r) => setTimeout(r, 3_000));
    const readiness = await Promise.all(cluster.replicas.map((r) => r.readiness()));
    const failovers = await Promise.all(
      cluster.replicas.map(async (r) => {
        const text = await (await fetch(`${r.app.url}/metrics`)).text();
        return Number(/^minion_redis_failovers_total (\d+)/m.exec(text)?.[1] ?? NaN);
      }),
    );

    const burstCounts = counter.counts(burst);
    const windowCounts = counter.counts(window);
    const batched = await cluster.batchedOccurrences(newPrimary);
    const mode = QUEUE_MODES[0].mode;
    printCounts(`Sentinel failover, ${mode}, burst`, burstCounts, {
      'occurrences in batches': batched,
      'acted before the failover': actedBeforeFailover,
      'failover took': `${failoverMs} ms`,
      'failovers seen per replica': failovers.join('/'),
      took: `${Math.round((Date.now() - started) / 1000)} s`,
    });
    printCounts(`Sentinel failover, ${mode}, due in the failover minute`, windowCounts);

    expect(readiness).toEqual([200, 200, 200]);
    expect(batched).toBe(cluster.batchFrom > 0 ? BURST + WINDOW : 0);
    expect(burstCounts.duplicated).toBe(0);
    expect(burstCounts.missed).toBe(0);
    expect(windowCounts.duplicated).toBe(0);
    expect(windowCounts.missed).toBe(0);
    // Every replica saw its command connection come back to another primary.
    expect(failovers.every((n) => n >= 1)).toBe(true);
  });
});
