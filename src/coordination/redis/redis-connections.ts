import { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis, { Cluster, RedisOptions } from 'ioredis';
import { settledWithin } from '../../common/timeout';
import { RedisSettings } from '../coordination.config';
import { evictionPolicy, evictionProblem } from './eviction-policy';
import { RedisMetrics } from './redis.metrics';

/** A connection to a single Redis (standalone or found through Sentinel) or to a Cluster. */
export type RedisClient = Redis | Cluster;

const CLOSE_TIMEOUT_MS = 2000;

/**
 * The Redis clients minion itself uses (BullMQ opens its own, from `bullConnection`): commands,
 * pub/sub subscriber and health. Commands fail at once while Redis is unreachable (no offline
 * queue), so an API request or a tick never hangs on a dead Redis; ioredis reconnects by itself,
 * to the new primary after a failover (Sentinel tells it; a primary turned replica answers
 * READONLY, which reconnects too). Startup refuses a Redis that may evict keys.
 */
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients: RedisClient[] = [];
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;
  /** Set when Redis (reached after startup) has an evicting policy: readiness reports it. */
  problem?: string;

  constructor(
    readonly settings: RedisSettings,
    private readonly metrics?: RedisMetrics,
    /** How long startup waits for Redis before going on without checking its policy. */
    private readonly startupWaitMs = 5000,
  ) {
    // With Sentinel, every connection hears of a failover from the sentinels (+switch-master)
    // and leaves the old primary at once, before it is demoted (see bullConnection).
    const detect = settings.topology === 'sentinel' ? { failoverDetector: true } : {};
    this.commands = this.create('commands', { enableOfflineQueue: false, ...detect });
    // Its SUBSCRIBE waits for the connection however long Redis is away.
    this.subscriber = this.create('subscriber', { maxRetriesPerRequest: null, ...detect });
  }

  /**
   * Refuses to start on a Redis whose `maxmemory-policy` would evict queue keys. Redis down at
   * startup does not stop minion (readiness says 503): the policy is then checked once it connects.
   */
  async onModuleInit(): Promise<void> {
    await this.ready(this.startupWaitMs);
    if (!this.isReady()) {
      this.logger.warn(
        `${this.settings.describe} not reachable at startup: its maxmemory-policy is checked once it connects`,
      );
      this.commands.once('ready', () => void this.checkPolicy().catch(() => undefined));
      return;
    }
    const problem = await this.checkPolicy();
    if (problem) {
      // Startup stops here, before any shutdown hook: leave no connection reconnecting behind.
      await this.close();
      throw new Error(problem);
    }
  }

  /** The eviction problem of any primary (each master of a cluster), or null; warns if unknown. */
  async checkPolicy(): Promise<string | null> {
    const nodes = isCluster(this.commands) ? this.commands.nodes('master') : [this.commands];
    for (const node of nodes) {
      const where = isCluster(this.commands)
        ? `${this.settings.describe} (node ${node.options.host}:${node.options.port})`
        : this.settings.describe;
      const policy = await evictionPolicy(node);
      if (policy === null) {
        this.logger.warn(
          `could not read the maxmemory-policy of ${where} (CONFIG GET and INFO memory refused): make sure it is noeviction`,
        );
        continue;
      }
      const problem = evictionProblem(policy, where);
      if (problem) {
        this.problem = problem;
        this.logger.error(problem);
        return problem;
      }
    }
    return null;
  }

  /**
   * Cluster only: why the cluster cannot serve every slot (a node says `cluster_state:fail`,
   * a master lost with no replica to replace it), else null. ioredis checks this only once,
   * when it connects (and minion turns that check off: see connect), so readiness asks.
   */
  async clusterProblem(): Promise<string | null> {
    if (!isCluster(this.commands)) return null;
    const info = await this.commands.cluster('INFO');
    const state = /cluster_state:(\w+)/.exec(String(info))?.[1];
    return state === 'fail' ? 'cluster_state:fail (not every hash slot is served)' : null;
  }

  private isReady(): boolean {
    // A Cluster reports `ready` too once its slots are known.
    return this.commands.status === 'ready';
  }

  /** Resolves once the command connection is ready, or after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.isReady()) return;
    await settledWithin(new Promise((r) => this.commands.once('ready', r)), timeoutMs);
  }

  /**
   * Options for a single Redis (BullMQ's workers need maxRetriesPerRequest: null): the
   * settings' connection (with Sentinel, the sentinels and the primary's name) and minion's
   * reconnection rules.
   */
  options(extra: RedisOptions = {}): RedisOptions {
    return {
      ...this.settings.connection,
      lazyConnect: false,
      retryStrategy: reconnectDelay,
      sentinelRetryStrategy: reconnectDelay,
      reconnectOnError,
      ...extra,
    };
  }

  /**
   * The connection to give BullMQ: a client of our own, so every connection is closed at
   * shutdown even if Redis never answered (BullMQ's close can wait forever on one that never
   * connected, and its reconnections would keep the process alive). Its `duplicate` (the
   * worker's blocking connection) goes through here as well. With Sentinel each one has the
   * failover detector, so BullMQ's connections leave the old primary on `+switch-master` too:
   * else a worker could keep writing to a primary about to be demoted, and what it wrote would
   * be lost in the resync. A Cluster is taken by BullMQ only as a client anyway.
   */
  bullConnection(name: string, extra: RedisOptions): RedisClient {
    if (this.settings.topology === 'cluster') return this.create(name, extra);
    const options = this.settings.topology === 'sentinel' ? { failoverDetector: true } : {};
    const client = this.create(name, { ...extra, ...options }) as Redis;
    client.duplicate = (override?: Partial<RedisOptions>) =>
      this.create(`${name}-blocking`, { ...extra, ...options, ...override }) as Redis;
    return client;
  }

  create(name: string, extra: RedisOptions): RedisClient {
    const client = this.connect(name, extra);
    let down = false;
    let primary: string | undefined;
    client.on('error', (err: Error) => {
      if (!down)
        this.logger.warn(`${name} connection to ${this.settings.describe} failed: ${err.message}`);
      down = true;
    });
    client.on('close', () => {
      // Sentinel's failover detector closes the connection without an error.
      if (client.status !== 'end') down = true;
    });
    client.on('ready', () => {
      const now = addressOf(client);
      if (down) {
        this.logger.log(`${name} connection to ${this.settings.describe} is back (${now ?? ''})`);
        this.metrics?.reconnects.inc({ connection: name });
        if (name === 'commands' && primary && now && now !== primary) {
          this.logger.warn(`Redis failover: the primary moved from ${primary} to ${now}`);
          this.metrics?.failovers.inc();
        }
      }
      primary = now ?? primary;
      down = false;
    });
    this.clients.push(client);
    return client;
  }

  private connect(name: string, extra: RedisOptions): RedisClient {
    const options = this.options({ connectionName: `minion-${name}`, ...extra });
    if (this.settings.topology !== 'cluster') return new Redis(options);
    const { enableOfflineQueue, ...redisOptions } = options;
    return new Cluster(this.settings.clusterNodes ?? [], {
      redisOptions,
      enableOfflineQueue,
      // ioredis's ready check (CLUSTER INFO) goes to a random node connection; without the
      // offline queue it is refused ("Connection is closed") while that one is still connecting,
      // and the client then drops everything and retries: starts took 0.01-3.7 s, 40 s once.
      // Ready once the slots are known; readiness checks cluster_state itself (RedisHealth).
      enableReadyCheck: false,
      clusterRetryStrategy: reconnectDelay,
      // TLS certificates name the hosts given, not the addresses nodes announce.
      ...(redisOptions.tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
    });
  }

  /** After the scheduler stopped its queue (beforeApplicationShutdown). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * QUIT each client that is up (queued on one that never connects, it would wait forever), then
   * drop whatever did not answer within `timeoutMs`: a QUIT on a connection cut off (a proxy
   * dropping every packet) would otherwise keep the process from ever exiting on SIGTERM.
   * disconnect() after it also closes a Sentinel failover detector's connections.
   */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    await settledWithin(
      Promise.all(
        this.clients.map((c) =>
          c.status === 'ready' ? c.quit().catch(() => undefined) : Promise.resolve(),
        ),
      ),
      timeoutMs,
    );
    for (const c of this.clients) c.disconnect();
  }
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** `host:port` of the server a single-Redis client is connected to now. */
function addressOf(client: RedisClient): string | undefined {
  if (isCluster(client)) return undefined;
  const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } })
    .stream;
  return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : undefined;
}

/**
 * Reconnect every 2 s at most, whatever the outage lasted: BullMQ's own strategy (e^n ms, up to
 * 20 s) could leave a replica unready for 20 s after Redis is back.
 */
export function reconnectDelay(times: number): number {
  return Math.min(times * 100, 2000);
}

/**
 * A primary demoted to replica (failover) keeps its connections and answers writes READONLY:
 * reconnect (Sentinel or DNS then gives the new primary) and send the command again.
 */
export function reconnectOnError(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}
