import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobQueue } from '../scheduler/job-queue';
import { RedisConnections } from '../scheduler/redis/redis-connections';

const PING_TIMEOUT_MS = 1000;

/**
 * With the Redis queue: ready only while Redis answers PING on minion's connection and on the
 * queue's own. Absent with the in-memory queue.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(RedisConnections) private readonly redis: RedisConnections | null,
    private readonly queue: JobQueue,
  ) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  async check(): Promise<HealthIndicatorResult> {
    const session = this.health.check('redis');
    const where = this.redis?.settings.describe;
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([this.redis?.commands.ping(), this.queue.ping()]),
        new Promise(
          (_, reject) =>
            (timer = setTimeout(
              () => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)),
              PING_TIMEOUT_MS,
            )),
        ),
      ]).finally(() => clearTimeout(timer));
      return session.up({ where });
    } catch (err) {
      return session.down({ where, message: (err as Error).message });
    }
  }
}
