import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { settledWithin } from '../../common/timeout';
import { RedisSettings } from '../coordination.config';

const CLOSE_TIMEOUT_MS = 2000;

/**
 * The Redis clients minion itself uses (BullMQ opens its own): commands, pub/sub subscriber and
 * health. Commands fail at once while Redis is unreachable (no offline queue), so an API request
 * or a tick never hangs on a dead Redis; ioredis reconnects by itself.
 */
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly clients: Redis[] = [];
  readonly commands: Redis;
  readonly subscriber: Redis;

  constructor(readonly settings: RedisSettings) {
    this.commands = this.create('commands', { enableOfflineQueue: false });
    // Its SUBSCRIBE waits for the connection however long Redis is away.
    this.subscriber = this.create('subscriber', { maxRetriesPerRequest: null });
  }

  /** Resolves once the command connection is ready, or after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.commands.status === 'ready') return;
    await settledWithin(new Promise((r) => this.commands.once('ready', r)), timeoutMs);
  }

  /** Options for a client of BullMQ's (workers need maxRetriesPerRequest: null). */
  options(extra: RedisOptions = {}): RedisOptions {
    const { url, ...rest } = this.settings.connection;
    const fromUrl = url ? parseUrl(url) : {};
    return { ...rest, ...fromUrl, lazyConnect: false, retryStrategy: reconnectDelay, ...extra };
  }

  create(name: string, extra: RedisOptions): Redis {
    const client = new Redis(this.options({ connectionName: `minion-${name}`, ...extra }));
    let down = false;
    client.on('error', (err: Error) => {
      if (!down)
        this.logger.warn(`${name} connection to ${this.settings.describe} failed: ${err.message}`);
      down = true;
    });
    client.on('ready', () => {
      if (down) this.logger.log(`${name} connection to ${this.settings.describe} is back`);
      down = false;
    });
    this.clients.push(client);
    return client;
  }

  /** After the scheduler stopped its queue (beforeApplicationShutdown). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /**
   * QUIT each client, then drop whatever did not answer within `timeoutMs`: a QUIT queued on a
   * connection that cannot come up (Redis cut off, a proxy dropping every connection) would
   * otherwise keep the process from ever exiting on SIGTERM.
   */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    await settledWithin(
      Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect()))),
      timeoutMs,
    );
    for (const c of this.clients) c.disconnect();
  }
}

/**
 * Reconnect every 2 s at most, whatever the outage lasted: BullMQ's own strategy (e^n ms, up to
 * 20 s) could leave a replica unready for 20 s after Redis is back.
 */
export function reconnectDelay(times: number): number {
  return Math.min(times * 100, 2000);
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
