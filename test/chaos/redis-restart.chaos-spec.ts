import { MINUTE_MS } from '../../src/common/clock';
import { printCounts } from './support/action-counter';
import { SHORT, until } from './support/chaos-cluster';
import { ChaosRedis } from './support/chaos-redis';
import { chaosScenario, QUEUE_MODES } from './support/chaos-scenario';

/**
 * Redis killed (SIGKILL) during a burst of occurrences and started again, with and without its
 * append-only file. Three replicas from dist/main.js on a test clock (a minute every 3 s, 6 s in
 * the full form); the outage spans the next minute boundary, so a second burst falls due while
 * Redis is down. Every action is counted at the fake AWS endpoint. See docs/faults.md.
 */
const BURST = SHORT ? 60 : 300;
const DURING = SHORT ? 20 : 100;
const SPEED = SHORT ? 20 : 10;

describe.each([
  // With the file, in both queue modes: the batch in flight loses Redis mid-claim and is retried.
  ...QUEUE_MODES.map(({ mode, batchFrom }) => ({
    appendonly: true,
    label: `appendonly yes, ${mode}`,
    batchFrom,
  })),
  { appendonly: false, label: `appendonly no, ${QUEUE_MODES[0].mode}`, batchFrom: undefined },
])('Redis killed and restarted during a burst ($label)', ({ appendonly, label, batchFrom }) => {
  const s = chaosScenario(() => ChaosRedis.start({ appendonly }), {
    latencyMs: 20,
    speed: SPEED,
    // Longer than the outage: a run in flight keeps its lock across it (with the file).
    lockDuration: 15_000,
    stalledInterval: 2_000,
    concurrency: 4,
    batchFrom,
  });

  it(`${appendonly ? 'every occurrence acted on once' : 'the occurrences due during the outage caught up once; the burst bounded (documented)'}`, async () => {
    const { counter, cluster, redis } = s;
    const started = Date.now();
    const burstMinute = cluster.minuteAfter(5_000);
    const burst = await cluster.createBurst(BURST, burstMinute);
    const during = await cluster.createBurst(DURING, burstMinute + MINUTE_MS);
    await cluster.untilClock(burstMinute);
    await until('a quarter of the burst acted on', () => counter.rebooted(burst) >= BURST / 4);
    await redis.kill();
    const actedBeforeKill = new Set(burst.filter((id) => counter.reboots.has(id)));
    // Down across the next minute boundary: that tick cannot enqueue its occurrences.
    await cluster.untilClock(burstMinute + MINUTE_MS, 500);
    const readiness = await Promise.all(cluster.replicas.map((r) => r.readiness()));
    expect(readiness).toEqual([503, 503, 503]);
    // A call sent right before the kill (its fence checked just before) lands after it: what
    // acted before Redis came back is the bound for a second action.
    const actedBeforeRelaunch = new Set(burst.filter((id) => counter.reboots.has(id)));
    const outageStart = Date.now();
    await redis.launch();
    await Promise.all(
      cluster.replicas.map((r) =>
        until(`replica ${r.name} ready again`, async () => (await r.readiness()) === 200),
      ),
    );
    const readyAfterMs = Date.now() - outageStart;

    // The occurrences due during the outage were kept by the replicas and enqueued once it was
    // over: all of them run, with or without the file.
    await until(
      'the occurrences due during the outage acted on',
      () => counter.rebooted(during) === DURING,
    );
    if (appendonly) {
      await until('the whole burst acted on', () => counter.rebooted(burst) === BURST);
    } else {
      // Without persistence the queue restarts empty: wait until nothing more happens.
      let last = -1;
      await until(
        'the burst settled',
        async () => {
          const now = counter.rebootsOf(burst);
          const settled = now === last;
          last = now;
          if (!settled) await new Promise((r) => setTimeout(r, 3_000));
          return settled;
        },
        120_000,
      );
    }
    // A late duplicate would show here: give the stalled checks time to hand anything back.
    await new Promise((r) => setTimeout(r, 3_000));

    const burstCounts = counter.counts(burst);
    const duringCounts = counter.counts(during);
    const batched = await cluster.batchedOccurrences();
    // No replica stopped: no record may say one did (an attempt left unsettled by the outage
    // that recorded its own outcome is retried without one).
    const stoppedRecords = (await cluster.records([...burst, ...during])).filter((r) =>
      r.error?.includes('stopped during this attempt'),
    ).length;
    printCounts(`Redis restart (${label}), burst`, burstCounts, {
      'acted before the kill': actedBeforeKill.size,
      'occurrences in batches': batched,
      'records saying a replica stopped': stoppedRecords,
      'replicas ready again after': `${readyAfterMs} ms`,
      took: `${Math.round((Date.now() - started) / 1000)} s`,
    });
    printCounts(`Redis restart (${label}), due during the outage`, duringCounts);

    // A Redis that lost its data is reported by every replica (an error in its log), never silently.
    const reported = cluster.replicas.map((r) =>
      r.app.log().includes('came back without its data'),
    );
    expect(reported).toEqual([!appendonly, !appendonly, !appendonly]);
    expect(duringCounts.duplicated).toBe(0);
    expect(duringCounts.missed).toBe(0);
    if (appendonly) {
      // Batched ticks: both bursts went in batches (each occurrence has its batch state).
      expect(batched).toBe(cluster.batchFrom > 0 ? BURST + DURING : 0);
      expect(stoppedRecords).toBe(0);
      expect(burstCounts.duplicated).toBe(0);
      expect(burstCounts.missed).toBe(0);
    } else {
      // Documented (docs/faults.md): a Redis that keeps nothing forgets the occurrences waiting in
      // it and the ids of those finished, so the replicas' copies of the burst (kept by those that
      // stood by for its tick) are enqueued again. Bounded: only an occurrence that had acted
      // before Redis came back can act twice, and only one that had not acted before the kill
      // can be missing.
      const twice = burst.filter((id) => (counter.reboots.get(id)?.length ?? 0) > 1);
      expect(twice.filter((id) => !actedBeforeRelaunch.has(id))).toEqual([]);
      const never = burst.filter((id) => !counter.reboots.has(id));
      expect(never.filter((id) => actedBeforeKill.has(id))).toEqual([]);
    }
  });
});
