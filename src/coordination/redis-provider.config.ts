import { plainToInstance, Transform } from 'class-transformer';
import {
  ArrayMinSize,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  validateSync,
  ValidationArguments,
} from 'class-validator';
import { readFileSync } from 'node:fs';
import { validationMessages } from '../common/validation-messages';
import { isPlainObject } from '../common/validators/canonical-keys';
import { NestedArray } from '../common/validators/nested.decorators';
import { recordShape } from '../common/validators/shape';

const integerString = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

/** One address: a Sentinel, or a seed node of a Redis Cluster. */
export class RedisNodeAddress {
  @IsString()
  @IsNotEmpty()
  host: string;

  @Transform(integerString)
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;
}

/** `tls` as an object: a private CA (a PEM file read at startup), host name checks. */
export class RedisTlsOptions {
  /** Path of a PEM file holding the CA certificate(s) the server's certificate chains to. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  ca?: string;

  /** false accepts any certificate (testing only; a startup note says so). Default true. */
  @IsOptional()
  @IsBoolean()
  rejectUnauthorized?: boolean;

  /** The name the certificate must carry, when it is not the host connected to (SNI too). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  servername?: string;
}

/**
 * `tls: true`/`false`, or an object validated as RedisTlsOptions, each problem named
 * `tls.<key>`. Recorded as the object's shape, so its keys match case-insensitively as elsewhere.
 */
function TlsOptionOrBoolean(): PropertyDecorator {
  const problems = (value: unknown, property: string): string[] => {
    if (typeof value === 'boolean') return [];
    if (!isPlainObject(value)) return [`${property} must be true, false or an object`];
    const instance = plainToInstance(RedisTlsOptions, value);
    return validationMessages(validateSync(instance, { whitelist: true }), property);
  };
  return (target, propertyName) => {
    recordShape(target, propertyName as string, { kind: 'object', cls: () => RedisTlsOptions });
    registerDecorator({
      name: 'tlsOptionOrBoolean',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (v: unknown, args: ValidationArguments) =>
          problems(v, args.property).length === 0,
        defaultMessage: (args: ValidationArguments) => problems(args.value, args.property)[0],
      },
    });
  };
}

/** A key prefix: letters, digits, _ . - and at most one `{hash tag}` (Redis Cluster). */
/**
 * `batchFrom` when not set: ticks this large are where one queue entry per occurrence stops
 * keeping up (100,000 due at once on three replicas: the last started 28-50 s after the minute,
 * batched 8-11 s; docs/benchmarks.md), while every ordinary tick keeps the one-entry path.
 */
export const DEFAULT_BATCH_FROM = 5000;

const PREFIX = /^[A-Za-z0-9_.-]*(\{[A-Za-z0-9_.-]+\})?[A-Za-z0-9_.-]*$/;

function IsKeyPrefix(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isKeyPrefix',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (v: unknown) =>
          typeof v === 'string' && v.length > 0 && v.length <= 64 && PREFIX.test(v),
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} may hold letters, digits and _ . - (at most 64), and one {hash tag}`,
      },
    });
}

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

  /** ACL user (Redis 6+); without it, `password` is the default user's. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  username?: string;

  @IsOptional()
  @IsString()
  password?: string;

  @IsOptional()
  @Transform(integerString)
  @IsInt()
  @Min(0)
  @Max(1024)
  database?: number;

  /** `redis://[user:password@]host:port/db` or `rediss://` (TLS); overrides host, port, username, password, database. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: '$property must be a redis:// or rediss:// URL' })
  url?: string;

  /** Sentinel: the addresses of the Sentinels; with `name`, the primary they watch. */
  @IsOptional()
  @ArrayMinSize(1)
  @NestedArray(() => RedisNodeAddress)
  sentinels?: RedisNodeAddress[];

  /** Sentinel: the primary's name (`sentinel monitor <name> ...`). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  name?: string;

  /** Sentinel: the Sentinels' own password (`requirepass` of the sentinels), when they have one. */
  @IsOptional()
  @IsString()
  sentinelPassword?: string;

  /** Sentinel: the Sentinels' ACL user, when they have one. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  sentinelUsername?: string;

  /** Redis Cluster: seed nodes (one is enough; more survive one being down at startup). */
  @IsOptional()
  @ArrayMinSize(1)
  @NestedArray(() => RedisNodeAddress)
  cluster?: RedisNodeAddress[];

  /** TLS to Redis (and to the Sentinels): `true`, or `{ca, rejectUnauthorized, servername}`. */
  @IsOptional()
  @TlsOptionOrBoolean()
  tls?: boolean | RedisTlsOptions;

  /**
   * Namespace of every key (then `:<org>:`), so several minions can share one Redis. With
   * `cluster`, a `{hash tag}` keeps every key in one slot; without one, the whole prefix is it.
   */
  @IsOptional()
  @IsKeyPrefix()
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

  /**
   * A tick of at least this many occurrences is queued in batches of 200 (one queue entry per
   * batch, about a quarter of the Redis commands per occurrence) rather than one entry per
   * occurrence. Default 5000 (DEFAULT_BATCH_FROM); 0: never (see docs/benchmarks.md, issue 24).
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  batchFrom?: number;
}

/** Which of the ways to reach Redis the options name. */
export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

export function topologyOf(o: RedisProviderOptions): RedisTopology {
  if (o.cluster) return 'cluster';
  if (o.sentinels) return 'sentinel';
  return 'standalone';
}

/**
 * Rules across the keys of a redis `config` (each message names its key, under `path`): one
 * topology at a time, Sentinel needs `name`, Cluster has no databases, the CA file is readable.
 */
export function redisOptionProblems(o: RedisProviderOptions, path: string): string[] {
  const problems: string[] = [];
  const given = (keys: (keyof RedisProviderOptions)[]) => keys.filter((k) => o[k] !== undefined);
  if (o.sentinels && o.cluster) {
    problems.push(`${path}.cluster: give sentinels or cluster, not both`);
  }
  for (const t of ['sentinels', 'cluster'] as const) {
    if (!o[t] || (t === 'cluster' && o.sentinels)) continue;
    for (const k of given(['url', 'host', 'port'])) {
      problems.push(`${path}.${k}: not used with ${t} (the addresses are in ${path}.${t})`);
    }
  }
  if (o.sentinels && !o.name) {
    problems.push(`${path}.name: the name of the primary the sentinels watch is required`);
  }
  if (o.name && !o.sentinels) {
    problems.push(`${path}.name: only used with sentinels`);
  }
  for (const k of given(['sentinelPassword', 'sentinelUsername'])) {
    if (!o.sentinels) problems.push(`${path}.${k}: only used with sentinels`);
  }
  if (o.cluster && o.database) {
    problems.push(`${path}.database: Redis Cluster has database 0 only`);
  }
  if (o.url && o.tls !== undefined) {
    problems.push(`${path}.tls: not used with url (rediss:// turns TLS on)`);
  }
  if (typeof o.tls === 'object' && o.tls.ca) {
    try {
      readFileSync(o.tls.ca);
    } catch (err) {
      problems.push(
        `${path}.tls.ca: cannot read ${o.tls.ca} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  return problems;
}

/**
 * The key prefix as Redis Cluster needs it: every key of minion and of BullMQ in one hash slot
 * (BullMQ's Lua scripts touch several keys at once, as do minion's lock-and-mark). A prefix
 * with a `{hash tag}` is kept; one without becomes its own tag: `minion` -> `{minion}`.
 */
export function clusterSafePrefix(keyPrefix: string): string {
  return /\{[^}]+\}/.test(keyPrefix) ? keyPrefix : `{${keyPrefix}}`;
}
