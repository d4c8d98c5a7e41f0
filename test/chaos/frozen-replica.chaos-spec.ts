import { FENCED_PREFIX } from '../../src/domain/fence';
import { printCounts } from './support/action-counter';
import { SHORT, until } from './support/chaos-cluster';
import { ChaosRedis } from './support/chaos-redis';
import { chaosScenario, QUEUE_MODES } from './support/chaos-scenario';

/**
 * A replica frozen (SIGSTOP) while it holds runs, then resumed (SIGCONT): fencing. The
 * DescribeInstances calls of the first replica to send one are held at the fake endpoint from
 * the burst on, so when it is frozen it holds runs that have not acted yet; its locks expire, the
 * other two find the runs stalled and take them over. Resumed, it gets its answers and must not
 * reboot anything: every instance is rebooted once, by another replica, and the frozen one's
 * records say it was fenced. Run twice: one queue entry per occurrence, and batched ticks (the
 * burst is one batch, held by one replica: fenced by the batch's lock). See docs/faults.md.
 */
const BURST = SHORT ? 40 : 200;
/** How long it stays frozen: the full form a minute; the short one until its runs were taken over. */
const FREEZE_MS = SHORT ? 0 : 60_000;

describe.each(QUEUE_MODES)(
  'a replica frozen while it holds runs, then resumed (fencing; $mode)',
  ({ mode, batchFrom }) => {
    const s = chaosScenario(() => ChaosRedis.start({ appendonly: true }), {
      latencyMs: 20,
      speed: SHORT ? 20 : 10,
      lockDuration: SHORT ? 2_000 : 10_000,
      stalledInterval: SHORT ? 1_000 : 5_000,
      concurrency: 4,
      batchFrom,
    });

    it('acts on no occurrence another replica took over, and records that it was fenced', async () => {
      const { counter, cluster } = s;
      const started = Date.now();
      const burstMinute = cluster.minuteAfter(5_000);
      const burst = await cluster.createBurst(BURST, burstMinute);
      counter.hold('DescribeInstances');
      await cluster.untilClock(burstMinute);
      await until('a replica holding runs', () => counter.holding >= 2);
      const frozen = cluster.replicas.find((r) => r.key === counter.heldKey);
      if (!frozen) throw new Error(`no replica signs with ${counter.heldKey}`);
      frozen.freeze();
      const frozenAt = Date.now();
      const heldAtFreeze = counter.holding;

      // The others take over its runs once its locks expire, and act on every occurrence.
      await until(
        'every occurrence acted on by the others',
        () => counter.rebooted(burst) === BURST,
        120_000,
      );
      const takenOverAfterMs = Date.now() - frozenAt;
      await new Promise((r) => setTimeout(r, Math.max(0, frozenAt + FREEZE_MS - Date.now())));
      frozen.thaw();
      const frozenMs = Date.now() - frozenAt;
      counter.release();

      // It wakes up believing it holds its runs: each is fenced before it acts, and says so.
      const fenced = async () =>
        (await cluster.records(burst)).filter(
          (r) => r.replica?.endsWith(`:${frozen.app.pid}`) && r.error?.startsWith(FENCED_PREFIX),
        );
      // (or, were it not fenced, acting again: then the counts below show the duplicates).
      await until(
        'the frozen replica recording its fenced runs, or acting',
        async () =>
          (await fenced()).length >= heldAtFreeze || counter.rebootedBy(frozen.key, burst) > 0,
      );
      await until(
        `replica ${frozen.name} (frozen) ready again`,
        async () => (await frozen.readiness()) === 200,
      );
      // A late action of the frozen replica's would show here.
      await new Promise((r) => setTimeout(r, 3_000));

      const counts = counter.counts(burst);
      const fencedRecords = await fenced();
      const batched = await cluster.batchedOccurrences();
      printCounts(`replica frozen (SIGSTOP) and resumed, ${mode}`, counts, {
        [`runs ${frozen.name} held when frozen`]: heldAtFreeze,
        [`fenced records of ${frozen.name}`]: fencedRecords.length,
        'taken over after': `${takenOverAfterMs} ms`,
        'occurrences in batches': batched,
        'frozen for': `${frozenMs} ms`,
        took: `${Math.round((Date.now() - started) / 1000)} s`,
      });

      // Batched ticks: the burst went as a batch (each occurrence has its batch state).
      expect(batched).toBe(cluster.batchFrom > 0 ? BURST : 0);
      expect(counts.duplicated).toBe(0);
      expect(counts.missed).toBe(0);
      expect(counter.rebootedBy(frozen.key, burst)).toBe(0);
      expect(fencedRecords.length).toBeGreaterThanOrEqual(heldAtFreeze);
      for (const r of fencedRecords) {
        expect(r.status).toBe('interrupted');
        expect(r.will_retry).toBe(false);
      }
      // Each occurrence it was fenced on has the outcome of the replica that took it over.
      const records = await cluster.records(burst);
      for (const r of fencedRecords) {
        const taker = records.filter((o) => o.run_id === r.run_id && o.status === 'succeeded');
        expect(taker).toHaveLength(1);
        expect(taker[0].replica).not.toBe(r.replica);
      }
    });
  },
);
