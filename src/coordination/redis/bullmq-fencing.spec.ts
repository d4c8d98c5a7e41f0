import Redis from 'ioredis';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_PORT,
  uniquePrefix,
} from '../../../test/support/redis';
import { waitFor } from '../../../test/support/manual-clock';
import {
  occurrenceOf,
  ScriptConsumer,
  succeeded,
} from '../../../test/contracts/job-queue.contract';
import { checkFence, currentFence, FENCED_PREFIX, FencedError } from '../../domain/fence';
import { AttemptOutcome } from '../../domain/attempt';
import { coordinationSettings } from '../coordination.config';
import { BullMqJobQueue, bullJobId } from './bullmq-job-queue';
import { OccurrenceFence } from './occurrence-fence';
import { RedisConnections } from './redis-connections';

/** Queue on a fresh prefix with short locks, so a lock renewal comes every 500 ms. */
function redisFor(prefix: string): RedisConnections {
  const settings = coordinationSettings(
    {
      type: 'redis',
      config: { host: '127.0.0.1', port: REDIS_PORT, keyPrefix: prefix, lockDuration: 1000 },
    },
    {
      org: 'fence',
      dataDir: '',
      retry: { attempts: 3, delayMs: 10 },
      runTimeoutMs: 60_000,
      settleWithinMs: 0,
    },
  ).backend;
  if (settings.type !== 'redis') throw new Error('expected Redis settings');
  return new RedisConnections(settings.redis);
}

describeWithRedis('fencing on the Redis queue (Redis at 127.0.0.1:6379)', () => {
  let prefix: string;
  let redis: RedisConnections;
  let other: Redis;

  beforeEach(() => {
    prefix = uniquePrefix();
    redis = redisFor(prefix);
    other = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
  });

  afterEach(async () => {
    other.disconnect();
    await redis.close();
    await deleteKeys(prefix);
  });

  describe('OccurrenceFence', () => {
    const key = () => `${prefix}:some-job:lock`;

    it('holds while the lock holds its token; another token or none fences it for good', async () => {
      await other.set(key(), 'mine');
      const fence = new OccurrenceFence(redis.commands, key(), 'mine', 1000);
      await redis.ready();
      await expect(fence.check()).resolves.toBeUndefined();
      expect(fence.lost).toBeUndefined();
      expect(fence.signal.aborted).toBe(false);

      await other.set(key(), 'theirs');
      const err = await fence.check().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FencedError);
      expect((err as FencedError).confirmedLost).toBe(true);
      expect((err as Error).message).toContain(FENCED_PREFIX);
      expect((err as Error).message).toContain('held by another worker');
      expect(fence.signal.aborted).toBe(true);
      // Lost stays lost, even if the key came back with our token.
      await other.set(key(), 'mine');
      await expect(fence.check()).rejects.toBeInstanceOf(FencedError);

      await other.del(key());
      const expired = new OccurrenceFence(redis.commands, key(), 'mine', 1000);
      await expect(expired.check()).rejects.toThrow('the lock expired');
    });

    it('refuses to act, without calling the claim lost, when Redis does not answer', async () => {
      const dead = new Redis({
        host: '127.0.0.1',
        port: 1, // nothing listens there
        enableOfflineQueue: false,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      try {
        const fence = new OccurrenceFence(dead, key(), 'mine', 300);
        const err = (await fence.check().catch((e: unknown) => e)) as FencedError;
        expect(err).toBeInstanceOf(FencedError);
        expect(err.confirmedLost).toBe(false);
        expect(err.message).toContain('could not confirm');
        expect(fence.lost).toBeUndefined();
      } finally {
        dead.disconnect();
      }
    });
  });

  describe("OccurrenceFence with a lease (a batch claim that read the lock's time left)", () => {
    const key = () => `${prefix}:some-batch:lock`;
    const dead = () =>
      new Redis({
        host: '127.0.0.1',
        port: 1, // nothing listens there: a check that reaches for Redis fails
        enableOfflineQueue: false,
        lazyConnect: true,
        retryStrategy: () => null,
      });

    it('needs no round trip inside its lease, and asks Redis again once it has run out', async () => {
      // The lock says another worker's: a check that reached Redis would be fenced.
      await other.set(key(), 'theirs');
      await redis.ready();
      let leased = true;
      const fence = new OccurrenceFence(redis.commands, key(), 'mine', 1000, {
        holds: () => leased,
      });
      await expect(fence.check()).resolves.toBeUndefined();
      await expect(fence.check()).resolves.toBeUndefined();
      leased = false;
      await expect(fence.check()).rejects.toThrow('held by another worker');
    });

    it('asks Redis, lease or not, while its connection is down (it does not act through an outage)', async () => {
      const client = dead();
      try {
        const fence = new OccurrenceFence(client, key(), 'mine', 300, { holds: () => true });
        const err = (await fence.check().catch((e: unknown) => e)) as FencedError;
        expect(err).toBeInstanceOf(FencedError);
        expect(err.confirmedLost).toBe(false);
        expect(fence.lost).toBeUndefined();
      } finally {
        client.disconnect();
      }
    });

    it('a claim known lost (a failed lock renewal) fences at once, lease or not', async () => {
      const client = dead();
      try {
        const fence = new OccurrenceFence(client, key(), 'mine', 300, { holds: () => true });
        fence.lose('its batch lock could not be renewed');
        await expect(fence.check()).rejects.toThrow('its batch lock could not be renewed');
        expect(fence.signal.aborted).toBe(true);
      } finally {
        client.disconnect();
      }
    });
  });

  describe('BullMqJobQueue', () => {
    let queue: BullMqJobQueue;

    beforeEach(() => {
      queue = new BullMqJobQueue(redis, { attempts: 3, delayMs: 10 }, 60_000);
    });

    afterEach(async () => {
      await queue.stop(5000);
    });

    /** The BullMQ lock of the occurrence's job, as another replica taking it over writes it. */
    const lockOf = (id: string) => `${prefix}:fence:occurrences:${bullJobId(id)}:lock`;

    it('an attempt whose claim another worker took does not act, and its record says so', async () => {
      const o = occurrenceOf('taken');
      let acted = false;
      let takeOver!: () => void;
      const taken = new Promise<void>((r) => (takeOver = r));
      const consumer = new ScriptConsumer(async (): Promise<AttemptOutcome> => {
        await taken;
        // What every action does first (the executor, the AWS clients): ask the fence. The
        // executor never throws: a fenced action is an interrupted outcome.
        try {
          await checkFence();
        } catch (err) {
          return { status: 'interrupted', reason: (err as Error).message, startedAt: new Date() };
        }
        acted = true;
        return succeeded();
      });
      await queue.start(consumer, 1);
      await queue.enqueue([o]);
      await waitFor(() => consumer.executed.length === 1, 10_000);
      expect(await other.get(lockOf(o.id))).toBeTruthy();
      await other.set(lockOf(o.id), 'another-worker-token', 'PX', 60_000);
      takeOver();

      await waitFor(() => consumer.reports.length === 1, 10_000);
      expect(acted).toBe(false);
      const [report] = consumer.reports;
      expect(report.willRetry).toBe(false);
      expect(report.outcome.status).toBe('interrupted');
      const reason = (report.outcome as { reason: string }).reason;
      expect(reason).toContain(FENCED_PREFIX);
      expect(reason).toContain('held by another worker');
      expect(reason).toContain('this attempt did not act');
      // Not retried here: the other worker owns it (its lock is untouched).
      expect(await other.get(lockOf(o.id))).toBe('another-worker-token');
      expect(consumer.executed).toHaveLength(1);
    });

    it('a failed lock renewal aborts the run at once (its signal), before any check', async () => {
      const o = occurrenceOf('renewal');
      let signalReason: unknown;
      const consumer = new ScriptConsumer(async (): Promise<AttemptOutcome> => {
        const signal = currentFence()?.signal;
        if (!signal) throw new Error('the attempt runs under no fence');
        await new Promise((r) => signal.addEventListener('abort', r, { once: true }));
        signalReason = signal.reason;
        return {
          status: 'interrupted',
          reason: (signal.reason as Error).message,
          startedAt: new Date(),
        };
      });
      await queue.start(consumer, 1);
      await queue.enqueue([o]);
      await waitFor(() => consumer.executed.length === 1, 10_000);
      // The lock renewed every 500 ms now holds someone else's token: the next renewal fails.
      await other.set(lockOf(o.id), 'another-worker-token', 'PX', 60_000);
      await waitFor(() => consumer.reports.length === 1, 10_000);
      expect(signalReason).toBeInstanceOf(FencedError);
      expect((signalReason as Error).message).toContain('its lock could not be renewed');
      const outcome = consumer.reports[0].outcome as { status: string; reason: string };
      expect(outcome.status).toBe('interrupted');
      expect(outcome.reason).toContain(FENCED_PREFIX);
      expect(consumer.reports[0].willRetry).toBe(false);
    });

    it('an attempt that acted and then lost its claim records it fenced, saying it had acted', async () => {
      const o = occurrenceOf('acted');
      let takeOver!: () => void;
      const taken = new Promise<void>((r) => (takeOver = r));
      const consumer = new ScriptConsumer(async () => {
        await checkFence();
        await taken; // acted, then frozen while waiting for the target state
        return succeeded();
      });
      await queue.start(consumer, 1);
      await queue.enqueue([o]);
      await waitFor(() => consumer.executed.length === 1, 10_000);
      await other.set(lockOf(o.id), 'another-worker-token', 'PX', 60_000);
      takeOver();
      await waitFor(() => consumer.reports.length === 1, 10_000);
      const outcome = consumer.reports[0].outcome as { status: string; reason: string };
      expect(outcome.status).toBe('interrupted');
      expect(outcome.reason).toContain(FENCED_PREFIX);
      expect(outcome.reason).toContain('had succeeded before it learnt it');
    });

    it('an attempt that keeps its claim acts and records its own outcome', async () => {
      const o = occurrenceOf('kept');
      const consumer = new ScriptConsumer(async () => {
        await checkFence();
        return succeeded();
      });
      await queue.start(consumer, 1);
      await queue.enqueue([o]);
      await waitFor(() => consumer.reports.length === 1, 10_000);
      expect(consumer.reportsOf(o)).toEqual([[1, 'succeeded', false]]);
    });
  });
});
