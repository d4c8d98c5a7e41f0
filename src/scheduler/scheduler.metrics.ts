import { Injectable } from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';

/** The per-minute tick: how long it takes and when it last ran. */
@Injectable()
export class SchedulerMetrics {
  readonly tickDuration: Histogram;
  readonly lastTick: Gauge;

  constructor(metrics: MetricsRegistry) {
    this.tickDuration = metrics.histogram({
      name: 'minion_tick_duration_seconds',
      help: 'Scheduler tick duration in seconds',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    });
    this.lastTick = metrics.gauge({
      name: 'minion_last_tick_timestamp_seconds',
      help: 'When the last scheduler tick finished (Unix time)',
    });
  }
}
