import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { ClusterNode, RedisOptions } from 'ioredis';
import { readFileSync } from 'node:fs';
import { ConnectionOptions } from 'node:tls';
import { ValidateByType } from '../common/validators/validate-record';
import { RetryPolicy } from '../domain/attempt';
import {
  clusterSafePrefix,
  DEFAULT_BATCH_FROM,
  RedisProviderOptions,
  RedisTopology,
  topologyOf,
} from './redis-provider.config';

export { RedisProviderOptions } from './redis-provider.config';

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
  /** standalone (host/port or url), sentinel (sentinels + name) or cluster (seed nodes). */
  readonly topology: RedisTopology;
  /**
   * ioredis options: with sentinel they hold the sentinels and the primary's name; with cluster,
   * the options of each node's connection (`redisOptions`).
   */
  readonly connection: RedisOptions;
  /** Cluster: the seed nodes. */
  readonly clusterNodes?: ClusterNode[];
  /** `<keyPrefix>:<org>`: every key and channel minion uses starts with it. */
  readonly prefix: string;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  /** Ticks of at least this many occurrences are queued in batches (0: never). */
  readonly batchFrom: number;
  /** Where to connect, for messages (never a password). */
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
  return { type: 'redis', redis: redisSettings(queueProvider.config ?? {}, org) };
}

/** Validated `queueProvider.config` -> what RedisConnections needs (TLS files read here, once). */
export function redisSettings(config: Record<string, unknown>, org: string): RedisSettings {
  const o = plainToInstance(RedisProviderOptions, config);
  const topology = topologyOf(o);
  const auth: RedisOptions = {
    username: o.username || undefined,
    password: o.password || undefined,
  };
  const tls = tlsOptions(o.tls);
  const keyPrefix = o.keyPrefix ?? 'minion';
  const common = {
    lockDurationMs: o.lockDuration ?? 30_000,
    stalledIntervalMs: o.stalledInterval ?? 30_000,
    batchFrom: o.batchFrom ?? DEFAULT_BATCH_FROM,
  };
  if (topology === 'cluster') {
    const nodes = (o.cluster ?? []).map((n) => ({ host: n.host, port: Number(n.port) }));
    return {
      ...common,
      topology,
      clusterNodes: nodes,
      connection: { ...auth, ...(tls ? { tls } : {}) },
      prefix: `${clusterSafePrefix(keyPrefix)}:${org}`,
      describe: `redis cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
    };
  }
  const db = Number(o.database ?? 0);
  if (topology === 'sentinel') {
    const sentinels = (o.sentinels ?? []).map((n) => ({ host: n.host, port: Number(n.port) }));
    return {
      ...common,
      topology,
      connection: {
        ...auth,
        db,
        sentinels,
        name: o.name,
        sentinelUsername: o.sentinelUsername || undefined,
        sentinelPassword: o.sentinelPassword || undefined,
        ...(tls ? { tls, sentinelTLS: tls, enableTLSForSentinelMode: true } : {}),
      },
      prefix: `${keyPrefix}:${org}`,
      describe: `redis sentinel ${o.name} via ${sentinels.map((n) => `${n.host}:${n.port}`).join(',')}/${db}`,
    };
  }
  const connection: RedisOptions = o.url
    ? parseUrl(o.url)
    : {
        host: o.host ?? '127.0.0.1',
        port: Number(o.port ?? 6379),
        ...auth,
        db,
        ...(tls ? { tls } : {}),
      };
  const where = `${connection.host}:${connection.port}/${connection.db}`;
  return {
    ...common,
    topology,
    connection,
    prefix: `${keyPrefix}:${org}`,
    describe: `redis${connection.tls ? ' (tls)' : ''} ${where}`,
  };
}

/** `tls: true` -> system CAs; `{ca, rejectUnauthorized, servername}` with the CA file read now. */
function tlsOptions(tls: RedisProviderOptions['tls']): ConnectionOptions | undefined {
  if (!tls) return undefined;
  if (tls === true) return {};
  return {
    ...(tls.ca ? { ca: readFileSync(tls.ca, 'utf8') } : {}),
    ...(tls.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
}

/** ioredis accepts a URL only as a separate argument; turn it into options. */
function parseUrl(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.slice(1) || 0),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
