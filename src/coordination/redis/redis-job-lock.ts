import { randomUUID } from 'node:crypto';
import { RedisConnections } from './redis-connections';

export interface JobLease {
  release(): Promise<void>;
}

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Takes the lock and, in the same round trip, writes who runs the attempt into a hash field
 * (the BullMQ job's hash), read back only if that run is found stalled.
 */
const ACQUIRE_AND_MARK = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
  return 1
end
return 0`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/**
 * "This job is running" across replicas: SET NX, released only by its holder. The key lives
 * `lockDuration` and the holder renews it while the run goes on, so the lock of a replica that
 * died frees itself as quickly as BullMQ finds the dead run stalled. Used by the BullMQ queue
 * only: preventing overlap is the queue's job.
 */
export class RedisJobLock {
  constructor(private readonly redis: RedisConnections) {}

  /**
   * The job's lock, or null while another run holds it. With `mark`, the lock taken also writes
   * `mark.value` to field `mark.field` of hash `mark.hash`, in one round trip.
   */
  async acquire(
    jobKey: string,
    mark?: { hash: string; field: string; value: string },
  ): Promise<JobLease | null> {
    const key = `${this.redis.settings.prefix}:running:${jobKey}`;
    const ttl = this.redis.settings.lockDurationMs;
    const token = randomUUID();
    const ok = mark
      ? (await this.redis.commands.eval(
          ACQUIRE_AND_MARK,
          2,
          key,
          mark.hash,
          token,
          String(ttl),
          mark.field,
          mark.value,
        )) === 1
      : (await this.redis.commands.set(key, token, 'PX', ttl, 'NX')) === 'OK';
    if (!ok) return null;
    const heartbeat = setInterval(
      () => {
        this.redis.commands.eval(RENEW, 1, key, token, String(ttl)).catch(() => undefined);
      },
      Math.max(100, Math.floor(ttl / 3)),
    );
    heartbeat.unref();
    return {
      release: async () => {
        clearInterval(heartbeat);
        await this.redis.commands.eval(RELEASE, 1, key, token);
      },
    };
  }
}
