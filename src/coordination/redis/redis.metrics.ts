import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../../metrics/metrics-registry';

/**
 * What minion's own Redis connections went through: every connection re-established after it
 * was lost, and every failover seen (the command connection found the primary at another
 * address: a Sentinel `+switch-master`, a managed Redis whose endpoint moved). Declared in
 * every mode (0 with one process), so dashboards and alerts find them.
 */
@Injectable()
export class RedisMetrics {
  readonly reconnects: Counter<'connection'>;
  readonly failovers: Counter;

  constructor(metrics: MetricsRegistry) {
    this.reconnects = metrics.counter({
      name: 'minion_redis_reconnects_total',
      help: "Connections to Redis re-established after being lost, by connection (commands, subscriber, BullMQ's queue, worker, worker-blocking)",
      labelNames: ['connection'],
    });
    this.failovers = metrics.counter({
      name: 'minion_redis_failovers_total',
      help: 'Redis failovers seen: reconnected to a primary at another address than before',
    });
  }
}
