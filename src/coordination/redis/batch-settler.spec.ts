import Redis from 'ioredis';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_PORT,
  uniquePrefix,
} from '../../../test/support/redis';
import { CLAIM, SETTLE } from './batch-scripts';
import { BatchSettler } from './batch-settler';

describeWithRedis(
  "BatchSettler: a batch's settles of one turn in one call; CLAIM's answer (Redis at 127.0.0.1:6379)",
  () => {
    let prefix: string;
    let redis: Redis;
    const lock = () => `${prefix}:batch:lock`;
    const state = (n: number) => `${prefix}:occ:${n}`;
    const running = (n: number) => `${prefix}:running:job${n}`;

    beforeEach(() => {
      prefix = uniquePrefix();
      redis = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    });

    afterEach(async () => {
      redis.disconnect();
      await deleteKeys(prefix);
    });

    it('sends the settles asked for in one turn together; each gets the answer and its state is written', async () => {
      await redis.set(lock(), 'mine');
      await redis.set(running(1), 'run-1');
      await redis.set(running(2), 'someone else');
      const calls = jest.spyOn(SETTLE, 'run');
      try {
        const settler = new BatchSettler(redis, lock(), 'mine');
        const answers = await Promise.all([
          settler.settle(state(1), running(1), 'done|b', 'run-1'),
          settler.settle(state(2), running(2), 'handed|b|1', 'run-2'),
          settler.settle(state(3), running(3), 'done|b', ''),
        ]);
        expect(answers).toEqual([1, 1, 1]);
        expect(calls).toHaveBeenCalledTimes(1);
        expect(await redis.mget(state(1), state(2), state(3))).toEqual([
          'done|b',
          'handed|b|1',
          'done|b',
        ]);
        expect(await redis.ttl(state(1))).toBeGreaterThan(3000);
        // Its own run's lock released; another run's left.
        expect(await redis.get(running(1))).toBeNull();
        expect(await redis.get(running(2))).toBe('someone else');

        // A settle asked for later goes in a call of its own.
        await settler.settle(state(4), running(4), 'done|b', '');
        expect(calls).toHaveBeenCalledTimes(2);
      } finally {
        calls.mockRestore();
      }
    });

    it('without the batch lock writes no state, still releases the run locks, and says what it found', async () => {
      await redis.set(lock(), 'theirs');
      await redis.set(running(1), 'run-1');
      const settler = new BatchSettler(redis, lock(), 'mine');
      const answers = await Promise.all([
        settler.settle(state(1), running(1), 'done|b', 'run-1'),
        settler.settle(state(2), running(2), 'done|b', ''),
      ]);
      expect(answers).toEqual(['held by another worker', 'held by another worker']);
      expect(await redis.exists(state(1), state(2))).toBe(0);
      expect(await redis.get(running(1))).toBeNull();

      await redis.del(lock());
      await expect(settler.settle(state(1), running(1), 'done|b', '')).resolves.toBe(
        'the lock expired',
      );
    });

    it('a call that fails fails each settle that was in it', async () => {
      const dead = new Redis({
        host: '127.0.0.1',
        port: 1,
        enableOfflineQueue: false,
        lazyConnect: true,
        retryStrategy: () => null,
      });
      try {
        const settler = new BatchSettler(dead, lock(), 'mine');
        const settled = await Promise.allSettled([
          settler.settle(state(1), running(1), 'done|b', ''),
          settler.settle(state(2), running(2), 'done|b', ''),
        ]);
        expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      } finally {
        dead.disconnect();
      }
    });

    // The claim's answer the lease is built on (claim-lease.ts).
    it('CLAIM answers the lock\'s time left in milliseconds (PTTL) with the claimed states; only "fenced" without the lock', async () => {
      await redis.set(lock(), 'mine', 'PX', 4000);
      const keys = [lock(), `${prefix}:occ:1`, `${prefix}:running:job1`];
      const args = ['mine', 'batch-1', 4000, 60, '{"replica":"r"}', 'run-1'];
      const [ttl, states] = (await CLAIM.run(redis, keys, args)) as [number, string[]];
      expect(ttl).toBeGreaterThan(3000);
      expect(ttl).toBeLessThanOrEqual(4000);
      expect(states).toEqual(['claimed']);
      expect(await redis.get(`${prefix}:running:job1`)).toBe('run-1');

      await redis.set(lock(), 'theirs', 'PX', 4000);
      await expect(CLAIM.run(redis, keys, args)).resolves.toBe('fenced');
    });
  },
);
