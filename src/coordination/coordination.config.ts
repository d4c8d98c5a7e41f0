import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { RedisOptions } from 'ioredis';
import { ValidateByType } from '../common/validators/validate-record';
import { RetryPolicy } from '../domain/attempt';

const integerString = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** `queueProvider.config` (and `lockProvider.config`) for `type: "redis"`: the original's keys plus minion's. */
export class RedisProviderOptions {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  host?: string;

  @IsOptional()
  @Transform(integerString)
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @IsOptional()
  @IsString()
  password?: string;

  @IsOptional()
  @Transform(integerString)
  @IsInt()
  @Min(0)
  @Max(1024)
  database?: number;

  /** `redis://[:password@]host:port/db` or `rediss://` (TLS); overrides host, port, password, database. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: '$property must be a redis:// or rediss:// URL' })
  url?: string;

  /** Namespace of every key (then `:<org>:`), so several minions can share one Redis. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: '$property may hold letters, digits and _ . - (at most 64)',
  })
  keyPrefix?: string;

  /** How long a run's lock lives without renewal before BullMQ calls the run stalled (ms, default 30000). */
  @IsOptional()
  @IsInt()
  @Min(500)
  lockDuration?: number;

  /** How often workers look for stalled runs (ms, default 30000). */
  @IsOptional()
  @IsInt()
  @Min(500)
  stalledInterval?: number;
}

export const QUEUE_PROVIDER_TYPES = ['memory', 'redis'] as const;

/** The original's `queueProvider` / `lockProvider` entries. */
export class ProviderDefinition {
  @IsIn(QUEUE_PROVIDER_TYPES, {
    message: `$property must be one of: ${QUEUE_PROVIDER_TYPES.join(', ')}`,
  })
  type: string;

  @IsOptional()
  @ValidateByType({ redis: RedisProviderOptions })
  config?: Record<string, unknown>;

  /** The original's `lockProvider.ttl`: accepted; minion needs no per-minute lock (said at startup). */
  @IsOptional()
  @IsString()
  ttl?: string;
}

export interface RedisSettings {
  /** ioredis options (a URL, when given, is parsed into them). */
  readonly connection: RedisOptions & { url?: string };
  /** `<keyPrefix>:<org>`: every key and channel minion uses starts with it. */
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  /** Where to connect, for messages (never the password). */
  readonly describe: string;
}

/** How replicas coordinate: `local` (one process, in memory and files) or on Redis. */
export type CoordinationBackend =
  { readonly type: 'local' } | { readonly type: 'redis'; readonly redis: RedisSettings };

/** `queueProvider` with the scheduler's retry policy: the coordination settings slice (DI token). */
export abstract class CoordinationSettings {
  abstract readonly backend: CoordinationBackend;
  /** Attempts per occurrence and the pause between them (`scheduler.attempts`, `retryDelay`). */
  abstract readonly retry: RetryPolicy;
  /** An occurrence waiting this long for a previous run of its job is skipped (`scheduler.runTimeout`). */
  abstract readonly runTimeoutMs: number;
  /** A run interrupted by shutdown is settled after a restart within this (`scheduler.catchUpWindow`). */
  abstract readonly settleWithinMs: number;
  /** The local schedule marker's directory and the org it is kept for. */
  abstract readonly dataDir: string;
  abstract readonly org: string;
}

export function coordinationSettings(
  queueProvider: ProviderDefinition | undefined,
  common: Omit<CoordinationSettings, 'backend'>,
): CoordinationSettings {
  return { ...common, backend: coordinationBackend(queueProvider, common.org) };
}

function coordinationBackend(
  queueProvider: ProviderDefinition | undefined,
  org: string,
): CoordinationBackend {
  if (queueProvider?.type !== 'redis') return { type: 'local' };
  const o = plainToInstance(RedisProviderOptions, queueProvider.config ?? {});
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
    type: 'redis',
    redis: {
      connection,
      prefix: `${o.keyPrefix ?? 'minion'}:${org}`,
      lockDurationMs: o.lockDuration ?? 30_000,
      stalledIntervalMs: o.stalledInterval ?? 30_000,
      describe: `redis ${where}`,
    },
  };
}
