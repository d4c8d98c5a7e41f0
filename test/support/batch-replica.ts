import { coordinationSettings } from '../../src/coordination/coordination.config';
import { BullMqJobQueue } from '../../src/coordination/redis/bullmq-job-queue';
import { RedisConnections } from '../../src/coordination/redis/redis-connections';

/**
 * One replica's Redis queue with batching on (every tick batched, `batchFrom` 1) and short locks
 * for a quick recovery: what test/redis-batches.e2e-spec.ts and its child process use.
 */
export function batchReplica(
  prefix: string,
  attempts = 3,
  lockDuration = 1000,
): { queue: BullMqJobQueue; redis: RedisConnections } {
  const backend = coordinationSettings(
    {
      type: 'redis',
      config: {
        host: '127.0.0.1',
        port: 6379,
        keyPrefix: prefix,
        lockDuration,
        stalledInterval: 1000,
        batchFrom: 1,
      },
    },
    {
      org: 'batches',
      dataDir: '',
      retry: { attempts, delayMs: 10 },
      runTimeoutMs: 60_000,
      settleWithinMs: 0,
    },
  ).backend;
  if (backend.type !== 'redis') throw new Error('expected Redis settings');
  const redis = new RedisConnections(backend.redis);
  return { queue: new BullMqJobQueue(redis, { attempts, delayMs: 10 }, 60_000, 1), redis };
}
