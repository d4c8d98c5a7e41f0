import { FENCED_PREFIX } from '../../src/domain/fence';
import { ActionCounter, printCounts } from './support/action-counter';
import { ChaosCluster, SHORT, until } from './support/chaos-cluster';
import { ChaosRedis } from './support/chaos-redis';

/**
 * A replica frozen (SIGSTOP) while it holds runs, then resumed (SIGCONT): fencing. Replica a's
 * DescribeInstances calls are held at the fake endpoint from the burst on, so when it is frozen
 * it holds runs that have not acted yet; its locks expire, b and c find the runs stalled and
 * take them over. Resumed, a gets its answers and must not reboot anything: every instance is
 * rebooted once, by b or c, and a's records say it was fenced. See docs/faults.md.
 */
const BURST = SHORT ? 40 : 200;
/** How long a stays frozen: the full form a minute; the short one until its runs were taken over. */
const FREEZE_MS = SHORT ? 0 : 60_000;

describe('a replica frozen while it holds runs, then resumed (fencing)', () => {
  const counter = new ActionCounter();
  let redis: ChaosRedis;
  let cluster: ChaosCluster;

  beforeAll(async () => {
    await counter.start(20);
    redis = await ChaosRedis.start({ appendonly: true });
    cluster = new ChaosCluster({
      awsUrl: counter.url,
      redisPort: redis.port,
      speed: SHORT ? 20 : 10,
      lockDuration: SHORT ? 2_000 : 10_000,
      stalledInterval: SHORT ? 1_000 : 5_000,
      concurrency: 4,
    });
    await Promise.all(['a', 'b', 'c'].map((name) => cluster.start(name)));
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await redis?.destroy();
    await counter.stop();
  });

  it('acts on no occurrence another replica took over, and records that it was fenced', async () => {
    const started = Date.now();
    const a = cluster.replica('a');
    const burstMinute = cluster.minuteAfter(5_000);
    const burst = await cluster.createBurst(BURST, burstMinute);
    counter.hold(a.key, 'DescribeInstances');
    await cluster.untilClock(burstMinute);
    await until('replica a holding runs', () => counter.holding >= 2);
    a.freeze();
    const frozenAt = Date.now();
    const heldAtFreeze = counter.holding;

    // b and c take over a's runs once its locks expire, and act on every occurrence.
    await until(
      'every occurrence acted on by b or c',
      () => counter.rebooted(burst) === BURST,
      120_000,
    );
    const takenOverAfterMs = Date.now() - frozenAt;
    await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + FREEZE_MS - Date.now())));
    a.thaw();
    const frozenMs = Date.now() - frozenAt;
    counter.release();

    // a wakes up believing it holds its runs: each is fenced before it acts, and says so.
    const fenced = async () =>
      (await cluster.records(burst)).filter(
        (r) => r.replica?.endsWith(`:${a.app.pid}`) && r.error?.startsWith(FENCED_PREFIX),
      );
    // (or, were it not fenced, acting again: then the counts below show the duplicates).
    await until(
      'replica a recording its fenced runs, or acting',
      async () => (await fenced()).length >= heldAtFreeze || counter.rebootedBy(a.key, burst) > 0,
    );
    await until('replica a ready again', async () => (await a.readiness()) === 200);
    // A late action of a's would show here.
    await new Promise((r) => setTimeout(r, 3_000));

    const counts = counter.counts(burst);
    const fencedRecords = await fenced();
    printCounts('replica frozen (SIGSTOP) and resumed', counts, {
      'runs a held when frozen': heldAtFreeze,
      'fenced records of a': fencedRecords.length,
      'taken over after': `${takenOverAfterMs} ms`,
      'frozen for': `${frozenMs} ms`,
      took: `${Math.round((Date.now() - started) / 1000)} s`,
    });

    expect(counts.duplicated).toBe(0);
    expect(counts.missed).toBe(0);
    expect(counter.rebootedBy(a.key, burst)).toBe(0);
    expect(fencedRecords.length).toBeGreaterThanOrEqual(heldAtFreeze);
    for (const r of fencedRecords) {
      expect(r.status).toBe('interrupted');
      expect(r.will_retry).toBe(false);
    }
    // Each occurrence a was fenced on has the outcome of the replica that took it over.
    const records = await cluster.records(burst);
    for (const r of fencedRecords) {
      const taker = records.filter((o) => o.run_id === r.run_id && o.status === 'succeeded');
      expect(taker).toHaveLength(1);
      expect(taker[0].replica).not.toBe(r.replica);
    }
  });
});
