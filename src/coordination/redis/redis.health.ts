import { HealthIndicatorResult } from '@nestjs/terminus';
import { withTimeout } from '../../common/timeout';
import { CoordinationHealth } from '../coordination-health';
import { JobQueue } from '../job-queue';
import { RedisConnections } from './redis-connections';

const PING_TIMEOUT_MS = 1000;

/**
 * Ready only while Redis answers PING on minion's connection and on the queue's own, its
 * eviction policy keeps keys and, for a Cluster, every hash slot is served (`cluster_state:ok`).
 */
export class RedisHealth extends CoordinationHealth {
  readonly checked = true;

  async check(): Promise<HealthIndicatorResult> {
    const where = this.redis.settings.describe;
    // Found after startup (Redis came up later, or a failover reached a misconfigured primary).
    if (this.redis.problem)
      return { redis: { status: 'down', where, message: this.redis.problem } };
    try {
      const [clusterProblem] = await withTimeout(
        Promise.all([this.redis.clusterProblem(), this.redis.commands.ping(), this.queue.ping()]),
        PING_TIMEOUT_MS,
        'redis',
      );
      if (clusterProblem) return { redis: { status: 'down', where, message: clusterProblem } };
      return { redis: { status: 'up', where } };
    } catch (err) {
      const message = (err as Error).message.replace(/^redis: /, '');
      return { redis: { status: 'down', where, message } };
    }
  }

  constructor(
    private readonly redis: RedisConnections,
    private readonly queue: JobQueue,
  ) {
    super();
  }
}
