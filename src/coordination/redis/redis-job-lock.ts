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
 * (the BullMQ job's hash), read back only if that run is found stalled. With KEYS[3] (batched
 * ticks on: the occurrence's batch state key, see batch-scripts.ts), an occurrence a batch
 * claimed first is left to it (2), and one claimed here is marked `single|-` for the batches.
 */
const ACQUIRE_AND_MARK = `
if KEYS[3] then
  local v = redis.call('GET', KEYS[3])
  if v and v ~= 'single|-' then return 2 end
end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
  if KEYS[3] then redis.call('SET', KEYS[3], 'single|-', 'EX', ARGV[5]) end
  return 1
end
return 0`;

/** The occurrence belongs to a batch (see ACQUIRE_AND_MARK): this one-job attempt must not run. */
export const BATCHED = 'batched';

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
    mark?: { hash: string; field: string; value: string; state?: { key: string; keepS: number } },
  ): Promise<JobLease | null | typeof BATCHED> {
    const key = `${this.redis.settings.prefix}:running:${jobKey}`;
    const ttl = this.redis.settings.lockDurationMs;
    const token = randomUUID();
    const state = mark?.state;
    const answer = mark
      ? await this.redis.commands.eval(
          ACQUIRE_AND_MARK,
          state ? 3 : 2,
          key,
          mark.hash,
          ...(state ? [state.key] : []),
          token,
          String(ttl),
          mark.field,
          mark.value,
          ...(state ? [String(state.keepS)] : []),
        )
      : (await this.redis.commands.set(key, token, 'PX', ttl, 'NX')) === 'OK'
        ? 1
        : 0;
    if (answer === 2) return BATCHED;
    if (answer !== 1) return null;
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
