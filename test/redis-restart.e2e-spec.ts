import { Logger } from '@nestjs/common';
import { JobQueue } from '../src/coordination/job-queue';
import { MinuteTicker } from '../src/scheduler/minute-ticker';
import { allRuns, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, ManualTicker, waitFor } from './support/manual-clock';
import {
  PrivateRedis,
  REDIS_SERVER_AVAILABLE,
  redisQueueProvider,
  uniquePrefix,
} from './support/redis';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { createTestApp, removeDir, tempDir, testConfig, TestApp } from './support/test-app';
import { ScriptedRunner } from './support/test-runners';

/** Needs the redis-server binary (a private server is started and killed); CI has it (.ci/run). */
const describeWithRedisServer =
  REDIS_SERVER_AVAILABLE || process.env.CI === 'true' ? describe : describe.skip;
if (!REDIS_SERVER_AVAILABLE && process.env.CI !== 'true') {
  console.warn('SKIPPED "Redis restarted mid-test": redis-server is not installed.');
}

describeWithRedisServer(
  'Redis restarted mid-test (private redis-server with an append-only file)',
  () => {
    let redis: PrivateRedis;
    let t: TestApp;

    beforeEach(async () => {
      ScriptedRunner.reset();
      redis = await PrivateRedis.start();
      t = await startTestApp({
        clock: new ManualClock('2026-01-05T10:00:10Z'),
        config: {
          // A kill can land while BullMQ's moveToActive script has run but its answer is lost: the
          // occurrence is then active in Redis with no worker, and only stall detection (lock
          // expiry + the stalled check) gives it back. With the 30 s defaults that recovery takes
          // up to a minute, longer than the test's deadlines; 10 s locks still outlive the outage
          // (locks are renewed every 5 s), so the run in flight is not taken for a dead one.
          queueProvider: redisQueueProvider(uniquePrefix(), redis.port, {
            lockDuration: 10_000,
            stalledInterval: 2_000,
          }),
          // Short, so teardown does not wait long on a run a failed assertion left blocked.
          scheduler: { retryDelay: '10ms', shutdownTimeout: '1s' },
        },
      });
    });

    afterEach(async () => {
      ScriptedRunner.release();
      await stopTestApp(t);
      await redis.destroy();
    });

    it('readiness flips and recovers; no occurrence is lost; the API keeps serving reads', async () => {
      const id = await createJob(t);
      const blocked = await createJob(t, {
        details: { runner: 'scriptedRunner', behavior: 'block' },
        schedule_expression: '@yearly',
      });
      await tickAt(t, '2026-01-05T10:01:00Z');
      await drain(t);
      // A run in flight and a second occurrence of that job waiting in Redis when Redis dies.
      await t.authed.patch(`/v1/minion/acct1/jobs/g/${blocked}`).expect(202);
      await waitFor(() => ScriptedRunner.active === 1);
      await t.authed.patch(`/v1/minion/acct1/jobs/g/${blocked}`).expect(202);
      await redis.kill();

      const down = await t.http.get('/v1/minion/health/ready').expect(503);
      expect(down.body.message).toContain('redis');
      // Reads come from the repository; runs cannot be queued (503), and the tick keeps its occurrence.
      await t.authed.get(`/v1/minion/acct1/jobs/g/${id}`).expect(200);
      const refused = await t.authed.patch(`/v1/minion/acct1/jobs/g/${id}`).expect(503);
      expect(refused.body.message).toContain('queue is not available');
      await expect(tickAt(t, '2026-01-05T10:02:00Z')).rejects.toThrow();

      await redis.launch();
      await waitFor(async () => (await t.http.get('/v1/minion/health/ready')).status === 200);
      await tickAt(t, '2026-01-05T10:03:00Z');
      ScriptedRunner.release();
      await waitFor(() => ScriptedRunner.calls.length === 2);
      ScriptedRunner.release();
      await waitFor(async () => {
        const c = await t.app.get(JobQueue).counts();
        return c.waiting + c.active + c.delayed === 0;
      });
      await drain(t);

      // The Redis queue does not keep one job's waiting occurrences in order (README).
      const minutes = (await allRuns(t, id))
        .filter((r) => r.status === 'succeeded')
        .map((r) => r.scheduled_for?.slice(11, 16))
        .sort();
      expect(minutes).toEqual(['10:01', '10:02', '10:03']);
      // Both manual runs of the blocked job happened: the one in flight and the one waiting in Redis.
      expect(ScriptedRunner.calls.filter((c) => c.jobId === blocked)).toHaveLength(2);
    }, 60_000);

    it('a minute boundary while Redis is down does not end the process; the next tick sends its occurrences', async () => {
      const id = await createJob(t);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        await redis.kill();
        t.clock.set('2026-01-05T10:01:00Z');
        // As the real ticker calls it: nobody awaits the tick. Its failure is logged, and no
        // unhandled rejection (which ends a Node process) escapes.
        (t.app.get(MinuteTicker) as ManualTicker).fire();
        await waitFor(() =>
          warn.mock.calls.some((c) => String(c[0]).includes('tick did not complete')),
        );
        await new Promise((r) => setImmediate(r));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
        warn.mockRestore();
      }
      await redis.launch();
      await waitFor(async () => (await t.http.get('/v1/minion/health/ready')).status === 200);
      await tickAt(t, '2026-01-05T10:02:00Z');
      await waitFor(async () => {
        const c = await t.app.get(JobQueue).counts();
        return c.waiting + c.active + c.delayed === 0;
      });
      await drain(t);
      const minutes = (await allRuns(t, id))
        .filter((r) => r.status === 'succeeded')
        .map((r) => r.scheduled_for?.slice(11, 16))
        .sort();
      expect(minutes).toEqual(['10:01', '10:02']);
    }, 60_000);

    it('run-now answers 503 with Retry-After within 5 s while Redis hangs, and works again after', async () => {
      const id = await createJob(t);
      redis.pause();
      try {
        const started = Date.now();
        const res = await t.authed.patch(`/v1/minion/acct1/jobs/g/${id}`).expect(503);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.body.message).toContain('queue is not available');
      } finally {
        redis.resume();
      }
      await waitFor(
        async () => (await t.authed.patch(`/v1/minion/acct1/jobs/g/${id}`)).status === 202,
      );
    }, 60_000);
  },
);

describeWithRedisServer('Redis down from the start', () => {
  it('the API starts, run-now answers 503 with Retry-After within 5 s, and recovers when Redis comes', async () => {
    const redis = await PrivateRedis.start();
    await redis.kill();
    const dataDir = tempDir();
    const config = testConfig(dataDir, {
      queueProvider: redisQueueProvider(uniquePrefix(), redis.port),
      scheduler: { retryDelay: '10ms', shutdownTimeout: '1s' },
    });
    const t = await createTestApp({ dataDir, config, awaitScheduler: false });
    try {
      const id = await createJob(t);
      const started = Date.now();
      const res = await t.authed.patch(`/v1/minion/acct1/jobs/g/${id}`).expect(503);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.headers['retry-after']).toBeDefined();
      await t.http.get('/v1/minion/health/ready').expect(503);
      await redis.launch();
      await waitFor(
        async () => (await t.authed.patch(`/v1/minion/acct1/jobs/g/${id}`)).status === 202,
      );
    } finally {
      await t.close();
      removeDir(dataDir);
      await redis.destroy();
    }
  }, 90_000);
});
