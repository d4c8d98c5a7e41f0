import { deleteKeys, describeWithRedis, uniquePrefix } from '../../../test/support/redis';
import { coordinationSettings } from '../coordination.config';
import { describeJobQueueContract } from '../../../test/contracts/job-queue.contract';
import { BullMqJobQueue } from './bullmq-job-queue';
import { RedisConnections } from './redis-connections';

describeWithRedis('BullMqJobQueue (Redis at 127.0.0.1:6379)', () => {
  describeJobQueueContract('BullMqJobQueue', async () => {
    const keyPrefix = uniquePrefix();
    const settings = coordinationSettings(
      {
        type: 'redis',
        config: {
          host: '127.0.0.1',
          port: 6379,
          keyPrefix,
          lockDuration: 5000,
          stalledInterval: 5000,
        },
      },
      {
        org: 'contract',
        dataDir: '',
        retry: { attempts: 3, delayMs: 10 },
        runTimeoutMs: 60_000,
        settleWithinMs: 0,
      },
    ).backend;
    if (settings.type !== 'redis') throw new Error('expected Redis settings');
    const redis = new RedisConnections(settings.redis);
    const queue = new BullMqJobQueue(redis, { attempts: 3, delayMs: 10 }, 60_000);
    return {
      queue,
      cleanup: async () => {
        await redis.close();
        await deleteKeys(keyPrefix);
      },
    };
  });
});
