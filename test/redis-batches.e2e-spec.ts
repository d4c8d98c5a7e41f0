/**
 * Batched ticks on the Redis queue (`queueProvider.config.batchFrom`,
 * src/coordination/redis/occurrence-batches.ts) against a real Redis (127.0.0.1:6379, a key
 * prefix of each test's own, deleted afterwards): each occurrence once however the tick was
 * batched, retries, no overlap, and a replica killed (SIGKILL) mid-batch losing none and
 * repeating none it had recorded.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BullMqJobQueue } from '../src/coordination/redis/bullmq-job-queue';
import { RedisConnections } from '../src/coordination/redis/redis-connections';
import { HOLDS } from '../src/coordination/redis/occurrence-fence';
import { AttemptReport } from '../src/domain/attempt';
import { checkFence } from '../src/domain/fence';
import { Occurrence } from '../src/domain/occurrence';
import {
  failedWith,
  occurrenceOf,
  ScriptConsumer,
  succeeded,
} from './contracts/job-queue.contract';
import { waitFor } from './support/manual-clock';
import { deleteKeys, describeWithRedis, uniquePrefix } from './support/redis';
import { batchReplica } from './support/batch-replica';

const replica = batchReplica;

const tick = (occurrences: Occurrence[]) => ({ tickSize: occurrences.length });

describeWithRedis('batched ticks on the Redis queue (Redis at 127.0.0.1:6379)', () => {
  let prefix: string;
  let replicas: { queue: BullMqJobQueue; redis: RedisConnections }[];
  let children: ChildProcess[];

  beforeEach(() => {
    prefix = uniquePrefix();
    replicas = [];
    children = [];
  });

  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const r of replicas) {
      await r.queue.stop(1000);
      await r.redis.close();
    }
    await deleteKeys(prefix);
  });

  const start = async (
    consumer: ScriptConsumer,
    concurrency = 8,
    attempts = 3,
    lockDuration?: number,
  ) => {
    const r = replica(prefix, attempts, lockDuration);
    replicas.push(r);
    await r.queue.start(consumer, concurrency, 0);
    return r.queue;
  };

  const idle = () =>
    waitFor(async () => {
      const counts = await Promise.all(replicas.map((r) => r.queue.counts()));
      return counts.every((c) => c.waiting + c.active + c.delayed === 0);
    });

  it('runs each occurrence once across replicas, however each batched the tick or queued it alone', async () => {
    const one = new ScriptConsumer(succeeded);
    const two = new ScriptConsumer(succeeded);
    const [q1, q2] = [await start(one), await start(two)];
    const all = Array.from({ length: 450 }, (_, i) => occurrenceOf(`j${i}`));
    // The enqueuer's batches, a stand-by's takeover batching the tick in another order, and a
    // replica that queued some of it one job per occurrence (its tick under `batchFrom`).
    await Promise.all([
      q1.enqueue(all, tick(all)),
      q2.enqueue([...all].reverse(), tick(all)),
      q2.enqueue(all.slice(0, 20)),
    ]);
    await waitFor(() => one.reports.length + two.reports.length >= all.length);
    await idle();
    const executed = [...one.executed, ...two.executed].map((e) => e.id).sort();
    expect(executed).toEqual(all.map((o) => o.id).sort());
    expect(one.executed.length).toBeGreaterThan(0);
    expect(two.executed.length).toBeGreaterThan(0);
    expect([...one.reports, ...two.reports].every((r) => r.outcome.status === 'succeeded')).toBe(
      true,
    );
  });

  it('an attempt started right after its claim acts without a fence round trip; one that waited past the lease asks Redis', async () => {
    // lockDuration 4 s: a claim's lease is at most 1 s (claimLeaseMs). Ten attempts check their
    // fence at once; one works 1.5 s first (an action's duration) and checks then.
    const holds = jest.spyOn(HOLDS, 'run');
    const checked: string[] = [];
    let slowCheck: { before: number; after: number } | undefined;
    const consumer = new ScriptConsumer(async (o) => {
      if (o.jobId === 'slow') {
        await new Promise((r) => setTimeout(r, 1500));
        const before = holds.mock.calls.length;
        await checkFence();
        slowCheck = { before, after: holds.mock.calls.length };
      } else {
        await checkFence();
      }
      checked.push(o.jobId);
      return succeeded();
    });
    const queue = await start(consumer, 16, 3, 4000);
    const all = [
      ...Array.from({ length: 10 }, (_, i) => occurrenceOf(`quick${i}`)),
      occurrenceOf('slow'),
    ];
    try {
      await queue.enqueue(all, tick(all));
      await waitFor(() => consumer.reports.length >= all.length);
      await idle();
      expect(checked.sort()).toEqual(all.map((o) => o.jobId).sort());
      expect(consumer.reports.every((r) => r.outcome.status === 'succeeded')).toBe(true);
      // The slow one's check went to Redis (its lease had run out); the quick ones', within
      // their lease, did not (two allowed for a loaded machine delaying them past it; without
      // the lease all ten do).
      expect(slowCheck).toBeDefined();
      expect(slowCheck!.after - slowCheck!.before).toBe(1);
      expect(slowCheck!.before).toBeLessThanOrEqual(2);
    } finally {
      holds.mockRestore();
    }
  });

  it('retries a failed occurrence with the policy, and never a permanent failure', async () => {
    const consumer = new ScriptConsumer((o) =>
      o.jobId === 'ok' ? succeeded() : failedWith(o.jobId === 'denied'),
    );
    const queue = await start(consumer);
    const all = [occurrenceOf('flaky'), occurrenceOf('denied'), occurrenceOf('ok')];
    await queue.enqueue(all, tick(all));
    await waitFor(() => consumer.reports.length >= 5);
    await idle();
    expect(consumer.reportsOf(occurrenceOf('flaky'))).toEqual([
      [1, 'failed', true],
      [2, 'failed', true],
      [3, 'failed', false],
    ]);
    expect(consumer.reportsOf(occurrenceOf('denied'))).toEqual([[1, 'failed', false]]);
    expect(consumer.reportsOf(occurrenceOf('ok'))).toEqual([[1, 'succeeded', false]]);
  });

  it('retries a batch whose outcome could not be recorded, and says so in the log', async () => {
    // The first report refused (a run log that cannot take it): the batch fails and is retried
    // (with the batch backoff, batchRetryDelayMs: a second at first); its retry finds both
    // occurrences settled (their state is written before the report) and runs neither again.
    const warn = jest.spyOn(Logger.prototype, 'warn');
    class RefusingOnce extends ScriptConsumer {
      private refused = false;
      override async report(report: AttemptReport): Promise<void> {
        if (!this.refused) {
          this.refused = true;
          throw new Error('the run log refused the record');
        }
        return super.report(report);
      }
    }
    const consumer = new RefusingOnce(succeeded);
    const queue = await start(consumer);
    const all = [occurrenceOf('a'), occurrenceOf('b')];
    await queue.enqueue(all, tick(all));
    const logged = (text: string) => warn.mock.calls.some(([m]) => String(m).includes(text));
    try {
      await waitFor(() => logged('failed (try 1), retried in 1 s: batch not settled'));
      await idle();
      expect(consumer.executed.map((e) => e.id).sort()).toEqual(all.map((o) => o.id).sort());
      expect(logged('the run log refused the record')).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it('never runs two occurrences of one job at once (a batch, and a replica running it alone)', async () => {
    const slow = async () => {
      await new Promise((r) => setTimeout(r, 100));
      return succeeded();
    };
    const one = new ScriptConsumer(slow);
    const two = new ScriptConsumer(slow);
    const [q1] = [await start(one), await start(two)];
    const batch = [1, 2, 3].map((m) => occurrenceOf('same', m));
    batch.push(occurrenceOf('other', 1));
    const alone = replica(prefix);
    replicas.push(alone);
    // Minute 4 of the same job, on the one-job path of another replica, alongside the batch.
    await Promise.all([
      q1.enqueue(batch, tick(batch)),
      alone.queue.enqueue([occurrenceOf('same', 4)]),
    ]);
    await waitFor(() => one.reports.length + two.reports.length >= 5);
    await idle();
    const runs = [...one.executed, ...two.executed].filter((e) => e.id.includes('/same@'));
    expect(runs.map((e) => e.id).sort()).toEqual(
      [1, 2, 3, 4].map((m) => occurrenceOf('same', m).id).sort(),
    );
    // Per process, and across both: the running lock is the one per-job lock of both paths.
    expect(Math.max(one.peakPerJob, two.peakPerJob)).toBe(1);
    const spans = [...one.reports, ...two.reports]
      .filter((r) => r.occurrence.jobId === 'same')
      .map((r) => r.outcome.startedAt.getTime())
      .sort((a, b) => a - b);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i] - spans[i - 1]).toBeGreaterThanOrEqual(90);
  });

  it('a replica stopping mid-batch ends what it started and leaves the rest to another', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stopping = new ScriptConsumer(async (o) => {
      if (o.jobId === 'g1') await gate;
      return succeeded();
    });
    const first = await start(stopping, 1);
    const all = ['g1', 'r1', 'r2', 'r3'].map((n) => occurrenceOf(n));
    await first.enqueue(all, tick(all));
    await waitFor(() => stopping.executed.length === 1);
    const stopped = first.stop(10_000);
    release();
    await stopped;
    const survivor = new ScriptConsumer(succeeded);
    await start(survivor);
    await waitFor(() => survivor.reports.length >= 3);
    await idle();
    expect(stopping.reportsOf(occurrenceOf('g1'))).toEqual([[1, 'succeeded', false]]);
    expect(stopping.executed).toHaveLength(1);
    expect(survivor.executed.map((e) => e.id).sort()).toEqual(
      ['r1', 'r2', 'r3'].map((n) => occurrenceOf(n).id).sort(),
    );
  });

  it.each([3, 1])(
    'a replica killed mid-batch loses no occurrence and repeats none it had recorded (attempts %i)',
    async (attempts) => {
      const ids = [
        'ok1',
        'ok2',
        'hang1',
        'hang2',
        ...Array.from({ length: 6 }, (_, i) => `ok${i + 3}`),
      ];
      const all = ids.map((id) => occurrenceOf(id));
      const producer = replica(prefix);
      replicas.push(producer);
      await producer.queue.enqueue(all, tick(all));

      // The child has 2 attempt slots: ok1 and ok2 end, hang1 and hang2 then hold both, so the
      // rest of the batch is still unclaimed when it is killed.
      const child = spawn(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          join(__dirname, 'support', 'batch-queue-main.ts'),
        ],
        { env: { ...process.env, BATCH_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      const seen: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (l) => seen.push(l));
      const id = (name: string) => occurrenceOf(name).id;
      await waitFor(
        () =>
          seen.includes(`DONE ${id('ok1')}`) &&
          seen.includes(`DONE ${id('ok2')}`) &&
          seen.includes(`START ${id('hang1')} 1`) &&
          seen.includes(`START ${id('hang2')} 1`),
        60_000,
      );
      // As if many replicas had died with it before: BullMQ failed a batch found stalled more
      // than 20 times, and its unclaimed occurrences were never run nor recorded.
      const batchKeys = (
        await producer.redis.commands.keys(
          `${producer.redis.settings.prefix}:occurrence-batches:batch-*`,
        )
      ).filter((k) => !k.endsWith(':lock'));
      expect(batchKeys).toHaveLength(1);
      await producer.redis.commands.hset(batchKeys[0], 'stc', 25);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(seen.filter((l) => l.startsWith('START'))).toHaveLength(4);

      const survivor = new ScriptConsumer(succeeded);
      await start(survivor, 4, attempts);
      await waitFor(() => survivor.reports.length >= ids.length - 2);
      await idle();
      // The two it had recorded are not run again; the two it was running are lost (the consumer
      // records it) and run again as attempt 2, even with one attempt allowed (a lost attempt may
      // never have acted); the rest run once.
      expect(survivor.executed.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
        ids
          .filter((n) => n !== 'ok1' && n !== 'ok2')
          .map((n) => ({ id: id(n), attempt: n.startsWith('hang') ? 2 : 1 }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(
        survivor.lostAttempts.map((l) => [l.id, l.lost.number, !!l.lost.final]).sort(),
      ).toEqual([
        [id('hang1'), 1, false],
        [id('hang2'), 1, false],
      ]);
    },
  );
});
