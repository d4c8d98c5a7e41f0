import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisConnections } from './redis-connections';

/**
 * Tells when Redis came back without its data (restarted with no persistence, flushed, a replica
 * promoted empty): the occurrences waiting in the queue are then lost, and the ids of finished
 * ones forgotten, so occurrences that ran just before may run again (docs/faults.md). Nothing can
 * bring them back; this makes the loss loud instead of silent. Each replica remembers the epoch
 * key it found (the first to see an empty Redis writes a new one) and compares it at every
 * reconnection of its command connection.
 */
export class RedisDataWatch {
  private readonly logger = new Logger('Redis');
  private epoch?: string;

  constructor(private readonly redis: RedisConnections) {}

  start(): void {
    const check = () => void this.check().catch(() => undefined);
    this.redis.commands.on('ready', check);
    if (this.redis.commands.status === 'ready') check();
  }

  /** True when the epoch this replica saw is gone: Redis lost its data since the last check. */
  async check(): Promise<boolean> {
    const key = `${this.redis.settings.prefix}:epoch`;
    await this.redis.commands.set(key, randomUUID(), 'NX');
    const now = (await this.redis.commands.get(key)) ?? undefined;
    const lost = this.epoch !== undefined && now !== this.epoch;
    this.epoch = now;
    if (lost) {
      this.logger.error(
        `Redis at ${this.redis.settings.describe} came back without its data: occurrences that ` +
          'were waiting in the queue are lost, and occurrences that ran just before may run ' +
          'again. Run Redis with persistence (appendonly yes).',
      );
    }
    return lost;
  }
}
