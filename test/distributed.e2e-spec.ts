import { MINUTE_MS, rfc3339 } from '../src/common/clock';
import { RunRecorder } from '../src/runs/run-recorder.service';
import { JobCache } from '../src/job-cache/job-cache.service';
import { JobQueue } from '../src/coordination/job-queue';
import { bullJobId } from '../src/coordination/redis/bullmq-job-queue';
import { manualOccurrence } from '../src/domain/occurrence';
import { ManualClock, waitFor } from './support/manual-clock';
import Redis from 'ioredis';
import { describeWithRedis, REDIS_HOST, REDIS_PORT, redisQueueProvider } from './support/redis';
import { useRedisReplicas } from './support/redis-replicas';
import { allRecords, enqueueOn, startReplicaChild, writeJob } from './support/replica-child';
import { testConfig, TestApp } from './support/test-app';

const ORG = 'test';
const job = (id: string) => ({ account: 'acct1', group: 'g', id });

/** Waits until the shared queue is empty and every replica wrote its run records. */
async function drainAll(replicas: TestApp[], timeoutMs = 20_000): Promise<void> {
  const queue = replicas[0].app.get(JobQueue);
  await waitFor(async () => {
    const c = await queue.counts();
    return c.waiting + c.active + c.delayed === 0;
  }, timeoutMs);
  await Promise.all(replicas.map((r) => r.app.get(RunRecorder).flush()));
}

describeWithRedis('distributed mode: replicas on one Redis (BullMQ)', () => {
  const cluster = useRedisReplicas();

  /** Every job of `ids` gets exactly one run record for `minute` (waited for, then drained). */
  async function expectEachRunOnce(ids: string[], minute: string, replicas: TestApp[]) {
    const atMinute = async () =>
      (await allRecords(cluster.dataDir, ids.map(job))).filter((r) => r.scheduled_for === minute);
    await waitFor(async () => (await atMinute()).length === ids.length);
    await drainAll(replicas);
    const runIds = (await atMinute()).map((r) => r.run_id);
    expect(new Set(runIds).size).toBe(ids.length);
    expect(runIds).toHaveLength(ids.length);
  }

  async function startReplicas(
    n: number,
    start: string,
    extra: Record<string, unknown> = {},
  ): Promise<TestApp[]> {
    const started = [];
    for (let i = 0; i < n; i++)
      started.push(
        await cluster.start({ config: cluster.config(extra), clock: new ManualClock(start) }),
      );
    return started;
  }

  it('three replicas ticking the same minutes run every occurrence exactly once (no duplicate, no miss)', async () => {
    const every = Array.from({ length: 200 }, (_, i) => `every-${i}`);
    const even = Array.from({ length: 100 }, (_, i) => `even-${i}`);
    every.forEach((id) => writeJob(cluster.dataDir, job(id), '* * * * *'));
    even.forEach((id) => writeJob(cluster.dataDir, job(id), '*/2 * * * *'));
    const group = await startReplicas(3, '2026-01-05T10:00:10Z');
    const first = Date.parse('2026-01-05T10:01:00Z');
    for (let m = 0; m < 6; m++) {
      for (const r of group) r.clock.set(new Date(first + m * MINUTE_MS + 100));
      await Promise.all(group.map((r) => r.scheduler.tick()));
      await drainAll(group);
    }
    const records = await allRecords(cluster.dataDir, [...every, ...even].map(job));
    const expected = new Set<string>();
    for (let m = 0; m < 6; m++) {
      const minute = rfc3339(new Date(first + m * MINUTE_MS));
      every.forEach((id) => expected.add(`acct1/g/${id}@${minute}`));
      if (m % 2 === 1) even.forEach((id) => expected.add(`acct1/g/${id}@${minute}`));
    }
    expect(expected.size).toBe(200 * 6 + 100 * 3);
    const runIds = records.map((r) => r.run_id);
    expect(runIds.length).toBe(expected.size);
    expect(new Set(runIds).size).toBe(runIds.length);
    expect(new Set(runIds)).toEqual(expected);
    expect(records.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
  });

  it('with batchFrom, a tick that large is queued in batches and every occurrence still runs once', async () => {
    const every = Array.from({ length: 300 }, (_, i) => `every-${i}`);
    every.forEach((id) => writeJob(cluster.dataDir, job(id), '* * * * *'));
    const group = await startReplicas(3, '2026-01-05T10:00:10Z', {
      queueProvider: redisQueueProvider(cluster.prefix, REDIS_PORT, { batchFrom: 100 }),
    });
    const first = Date.parse('2026-01-05T10:01:00Z');
    for (let m = 0; m < 3; m++) {
      for (const r of group) r.clock.set(new Date(first + m * MINUTE_MS + 100));
      await Promise.all(group.map((r) => r.scheduler.tick()));
      await drainAll(group);
    }
    const records = await allRecords(cluster.dataDir, every.map(job));
    const expected = new Set<string>();
    for (let m = 0; m < 3; m++) {
      const minute = rfc3339(new Date(first + m * MINUTE_MS));
      every.forEach((id) => expected.add(`acct1/g/${id}@${minute}`));
    }
    const runIds = records.map((r) => r.run_id);
    expect(runIds).toHaveLength(expected.size);
    expect(new Set(runIds)).toEqual(expected);
    expect(records.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    // They went through batches: each occurrence has its batch state, settled.
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    try {
      const state = await redis.get(
        `${cluster.prefix}:${ORG}:occ:acct1/g/every-7@2026-01-05T10:02:00Z`,
      );
      expect(state).toMatch(/^done\|batch-/);
    } finally {
      redis.disconnect();
    }
  });

  it('one replica enqueues each tick; a tick whose enqueuer died is enqueued by another after enqueueTakeover', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `every-${i}`);
    ids.forEach((id) => writeJob(cluster.dataDir, job(id), '* * * * *'));
    const [a, b] = await startReplicas(2, '2026-01-05T10:00:10Z', {
      scheduler: { retryDelay: '10ms', enqueueTakeover: '200ms' },
    });
    for (const r of [a, b]) r.clock.set('2026-01-05T10:01:00Z');
    const reports = await Promise.all([a, b].map((r) => r.scheduler.tick()));
    expect(reports.map((r) => r?.enqueued).sort()).toEqual([0, 10]);
    await drainAll([a, b]);

    // The replica that claims the next tick dies before it enqueues anything.
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    try {
      const from = Date.parse('2026-01-05T10:01:00Z');
      const to = Date.parse('2026-01-05T10:02:00Z');
      await redis.set(`${cluster.prefix}:${ORG}:scheduler:enqueue:${from}-${to}`, 'dead-replica');
    } finally {
      redis.disconnect();
    }
    b.clock.set('2026-01-05T10:02:00Z');
    expect((await b.scheduler.tick())?.enqueued).toBe(0);
    await expectEachRunOnce(ids, '2026-01-05T10:02:00Z', [a, b]);
  });

  it('a stand-by does not take over a tick whose enqueuer is still enqueuing, and does once it stops saying so', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `every-${i}`);
    ids.forEach((id) => writeJob(cluster.dataDir, job(id), '* * * * *'));
    const [a, b] = await startReplicas(2, '2026-01-05T10:00:10Z', {
      scheduler: { retryDelay: '10ms', enqueueTakeover: '200ms' },
    });
    for (const r of [a, b]) r.clock.set('2026-01-05T10:01:00Z');
    await Promise.all([a, b].map((r) => r.scheduler.tick()));
    await drainAll([a, b]);

    // Another replica claimed the next tick and, adding a large tick chunk by chunk, keeps
    // saying it is still enqueuing (here for 3 s: 15 of b's 200 ms takeover rounds).
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    const base = `${cluster.prefix}:${ORG}`;
    const from = Date.parse('2026-01-05T10:01:00Z');
    const to = Date.parse('2026-01-05T10:02:00Z');
    const enqueuing = `${base}:scheduler:enqueuing:${from}-${to}`;
    const firstJob = `${base}:occurrences:${bullJobId('acct1/g/every-0@2026-01-05T10:02:00Z')}`;
    try {
      await redis.set(`${base}:scheduler:enqueue:${from}-${to}`, 'slow-replica');
      await redis.set(enqueuing, 'slow-replica', 'PX', 3000);
      b.clock.set('2026-01-05T10:02:00Z');
      expect((await b.scheduler.tick())?.enqueued).toBe(0);
      // While the enqueuer says so, b adds nothing (read before the key is seen still there).
      let rounds = 0;
      for (;;) {
        const added = await redis.exists(firstJob);
        if ((await redis.exists(enqueuing)) === 0) break;
        expect(added).toBe(0);
        rounds++;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(rounds).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    // Then it stops (it died): b takes the tick over, each occurrence run once.
    await expectEachRunOnce(ids, '2026-01-05T10:02:00Z', [a, b]);
  });

  it('a write on one replica reaches the caches of the others at once, not at the next refresh', async () => {
    const [a, b, c] = await startReplicas(3, '2026-01-05T10:00:10Z');
    const job = {
      name: 'j',
      schedule_expression: '30 * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    const started = Date.now();
    const { body } = await a.authed.post('/v1/minion/acct1/jobs/g').send({ job }).expect(200);
    const key = `acct1/g/${body.job.id}`;
    await waitFor(() => !!b.app.get(JobCache).get(key) && !!c.app.get(JobCache).get(key));
    // Pub/sub, not the 5-minute refresh (a bound loose enough for a loaded machine).
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(b.scheduler.nextIndexed(key)).toBe(Date.parse('2026-01-05T10:30:00Z'));
    // The list routes answer from the cache's listing: the relayed write is listed there too.
    const listed = async (r: TestApp) =>
      (await r.authed.get('/v1/minion/acct1/jobs').expect(200)).body as string[];
    expect(await listed(b)).toContain(`g/${body.job.id}`);
    await a.authed
      .put(`/v1/minion/acct1/jobs/g/${body.job.id}`)
      .send({ job: { ...job, schedule_expression: '45 * * * *' } })
      .expect(202);
    await waitFor(() => c.scheduler.nextIndexed(key) === Date.parse('2026-01-05T10:45:00Z'));
    await a.authed.delete(`/v1/minion/acct1/jobs/g/${body.job.id}`).expect(202);
    await waitFor(() => !b.app.get(JobCache).get(key) && !c.app.get(JobCache).get(key));
    expect(a.app.get(JobCache).get(key)).toBeUndefined();
    expect(await listed(c)).not.toContain(`g/${body.job.id}`);
  });

  it('a restarted cluster catches up once: missed minutes recorded once, the window run once', async () => {
    writeJob(cluster.dataDir, job('every'), '* * * * *');
    const first = await startReplicas(2, '2026-01-05T10:00:10Z');
    for (const r of first) r.clock.set('2026-01-05T10:01:00Z');
    await Promise.all(first.map((r) => r.scheduler.tick()));
    await drainAll(first);
    await cluster.closeAll();
    // Both come back an hour later, and tick the same minute.
    const second = await startReplicas(2, '2026-01-05T11:00:00Z');
    const reports = await Promise.all(second.map((r) => r.scheduler.tick()));
    expect(reports.every((r) => r?.minutes.length === 16)).toBe(true);
    await drainAll(second);
    const records = await allRecords(cluster.dataDir, [job('every')]);
    const missed = records.filter((r) => r.status === 'missed');
    expect(missed).toHaveLength(1);
    expect(missed[0].missed_count).toBe(43);
    const ran = records.filter((r) => r.status === 'succeeded').map((r) => r.scheduled_for);
    expect(ran).toHaveLength(1 + 16);
    expect(new Set(ran).size).toBe(ran.length);
  });

  it('readiness includes Redis, and /metrics shows the BullMQ queue counts', async () => {
    const [a] = await startReplicas(1, '2026-01-05T10:00:10Z');
    const ready = await a.http.get('/v1/minion/health/ready').expect(200);
    expect(ready.body.info.redis).toMatchObject({ status: 'up', where: 'redis 127.0.0.1:6379/0' });
    const metrics = await a.http.get('/v1/minion/metrics').expect(200);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(metrics.text).toMatch(new RegExp(`minion_queue_jobs\\{state="${state}"\\} \\d+`));
    }
  });

  /**
   * A job whose run hangs in a child replica (which prints `RUNNING <id>`) and succeeds on an
   * in-process one; the config has short locks, so a killed replica's run is soon found stalled.
   */
  function crashMeJob(id: string, scheduler: Record<string, unknown> = {}) {
    writeJob(cluster.dataDir, job(id), '0 0 1 1 *', {
      runner: 'scriptedRunner',
      behavior: 'crash-me',
    });
    const fast = { lockDuration: 1000, stalledInterval: 1000 };
    return testConfig(cluster.dataDir, {
      queueProvider: redisQueueProvider(cluster.prefix, undefined, fast),
      scheduler: { retryDelay: '10ms', ...scheduler },
    });
  }

  it('a replica killed (SIGKILL) mid-run: another replica runs the occurrence, and the history shows both attempts', async () => {
    const cfg = crashMeJob('fragile');
    const replica = await startReplicaChild(cfg);
    const { child, seen } = replica;
    try {
      // Enqueued by a producer that has no worker, so the child is the only one to take it.
      const occurrence = manualOccurrence(job('fragile'), new Date());
      await enqueueOn(cfg, [occurrence]);
      await waitFor(() => seen.includes('RUNNING fragile'));
      await replica.kill();
      // A surviving replica finds the run stalled and runs it.
      await cluster.start({ config: cfg });
      await waitFor(async () =>
        (await allRecords(cluster.dataDir, [job('fragile')])).some((r) => r.status === 'succeeded'),
      );
      const records = (await allRecords(cluster.dataDir, [job('fragile')])).reverse();
      expect(records.map((r) => [r.run_id, r.attempt, r.status])).toEqual([
        [occurrence.id, 1, 'failed'],
        [occurrence.id, 2, 'succeeded'],
      ]);
      expect(records[0].error).toContain('stopped during this attempt');
      expect(records[0].replica).toMatch(new RegExp(`:${child.pid}$`));
      expect(records[0].runner).toBe('scriptedRunner');
      expect(records[1].output).toBe('recovered on another replica');
    } finally {
      await replica.kill();
    }
  }, 90_000);

  it('an occurrence lost with its replica 3 times: the third loss recorded as its failure (alerted), never run again', async () => {
    // Each replica that takes the occurrence is SIGKILLed mid-run. BullMQ used to fail it on its
    // own at the third stall, leaving that attempt with no record at all.
    const cfg = crashMeJob('doomed');
    const occurrence = manualOccurrence(job('doomed'), new Date());
    await enqueueOn(cfg, [occurrence]);
    for (let i = 0; i < 3; i++) {
      const replica = await startReplicaChild(cfg);
      try {
        await waitFor(() => replica.seen.includes('RUNNING doomed'), 60_000);
      } finally {
        await replica.kill();
      }
    }
    // A surviving replica finds the third attempt lost.
    await cluster.start({ config: cfg });
    const ended = async () => {
      const records = await allRecords(cluster.dataDir, [job('doomed')]);
      return records.some((r) => r.status === 'succeeded' || r.will_retry === false);
    };
    await waitFor(ended, 60_000);
    const records = (await allRecords(cluster.dataDir, [job('doomed')])).reverse();
    // Each lost attempt's record was written before the next attempt started (the replica that
    // wrote it was killed moments later).
    expect(records.map((r) => [r.attempt, r.status, r.will_retry])).toEqual([
      [1, 'failed', true],
      [2, 'failed', true],
      [3, 'failed', false],
    ]);
    expect(records[2].error).toContain('replicas stopped during its attempts 3 times');
  }, 240_000);
});
