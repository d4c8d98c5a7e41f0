import { RedisOptions } from 'ioredis';
import { MinionConfig, RedisProviderOptions } from '../../config/minion-config';

export interface RedisSettings {
  /** ioredis options (a URL, when given, is parsed into them). */
  connection: RedisOptions & { url?: string };
  /** `<keyPrefix>:<org>`: every key and channel minion uses starts with it. */
  prefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Where to connect, for messages (never the password). */
  describe: string;
}

/** The Redis settings of `queueProvider`, or null when the queue is in memory. */
export function redisSettings(config: MinionConfig): RedisSettings | null {
  if (config.queueProvider?.type !== 'redis') return null;
  const o = (config.queueProvider.config ?? {}) as RedisProviderOptions;
  const connection: RedisSettings['connection'] = o.url
    ? { url: o.url }
    : {
        host: o.host ?? '127.0.0.1',
        port: Number(o.port ?? 6379),
        password: o.password || undefined,
        db: Number(o.database ?? 0),
      };
  const where = o.url
    ? o.url.replace(/\/\/[^@/]*@/, '//***@')
    : `${connection.host}:${connection.port}/${connection.db}`;
  return {
    connection,
    prefix: `${o.keyPrefix ?? 'minion'}:${config.org}`,
    lockDurationMs: o.lockDuration ?? 30_000,
    stalledIntervalMs: o.stalledInterval ?? 30_000,
    describe: `redis ${where}`,
  };
}
