import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import { JobChange, JobChanges } from '../../domain/job-changes';
import { RedisConnections } from './redis-connections';

interface Message {
  from: string;
  change: JobChange;
}

/**
 * Carries API writes to every replica's cache over Redis pub/sub (milliseconds, not the next
 * refresh). A replica ignores its own messages. A write made while Redis is down reaches the
 * other replicas at their next refresh; the write itself does not fail.
 */
export class RedisChangeRelay implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisChangeRelay.name);
  private readonly id = randomUUID();
  private readonly channel: string;
  private subscription?: Subscription;

  constructor(
    private readonly redis: RedisConnections,
    private readonly changes: JobChanges,
  ) {
    this.channel = `${redis.settings.prefix}:job-changes`;
  }

  onModuleInit(): void {
    this.redis.subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      try {
        const message = JSON.parse(text) as Message;
        if (message.from !== this.id) this.changes.publish(message.change, 'remote');
      } catch (err) {
        this.logger.warn(`ignored a malformed job change: ${(err as Error).message}`);
      }
    });
    // Not awaited: with Redis down at startup the app must still come up (readiness says 503).
    // The subscriber keeps the command until it connects, and re-subscribes after reconnects.
    this.redis.subscriber.subscribe(this.channel).catch((err: Error) => {
      this.logger.warn(`cannot subscribe to job changes: ${err.message}`);
    });
    this.subscription = this.changes.subscribe((change, origin) => {
      if (origin !== 'local') return;
      const message: Message = { from: this.id, change };
      this.redis.commands.publish(this.channel, JSON.stringify(message)).catch((err: Error) => {
        this.logger.warn(
          `job change not relayed (other replicas see it at their next refresh): ${err.message}`,
        );
      });
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
