import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import {
  deleteKeys,
  describeWithRedis,
  REDIS_PORT,
  uniquePrefix,
} from '../../../test/support/redis';
import { coordinationSettings } from '../coordination.config';
import { RedisConnections } from './redis-connections';
import { RedisDataWatch } from './redis-data-watch';

describeWithRedis('RedisDataWatch (Redis at 127.0.0.1:6379)', () => {
  it('says, loudly, when Redis came back without its data; only then', async () => {
    const prefix = uniquePrefix();
    const settings = coordinationSettings(
      { type: 'redis', config: { host: '127.0.0.1', port: REDIS_PORT, keyPrefix: prefix } },
      {
        org: 'watch',
        dataDir: '',
        retry: { attempts: 1, delayMs: 10 },
        runTimeoutMs: 1000,
        settleWithinMs: 0,
      },
    ).backend;
    if (settings.type !== 'redis') throw new Error('expected Redis settings');
    const redis = new RedisConnections(settings.redis);
    const other = new Redis({ host: '127.0.0.1', port: REDIS_PORT });
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await redis.ready();
      const a = new RedisDataWatch(redis);
      const b = new RedisDataWatch(redis);
      // First sight: nothing to compare with, whoever wrote the epoch.
      expect(await a.check()).toBe(false);
      expect(await b.check()).toBe(false);
      expect(await a.check()).toBe(false);
      // Redis restarted empty: both replicas notice, the first one writing a new epoch.
      // (Only this test's key: the Redis at 6379 is shared.)
      await other.del(`${settings.redis.prefix}:epoch`);
      expect(await a.check()).toBe(true);
      expect(await b.check()).toBe(true);
      expect(await a.check()).toBe(false);
      expect(error).toHaveBeenCalledTimes(2);
      expect(String(error.mock.calls[0][0])).toContain('came back without its data');
    } finally {
      error.mockRestore();
      other.disconnect();
      await redis.close();
      await deleteKeys(prefix);
    }
  });
});
