import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobQueue } from './job-queue';

/** What goes into the occurrence queue (by the scheduler and by run-now), and what it holds. */
@Injectable()
export class QueueMetrics {
  readonly scheduled: Counter<'trigger'>;
  readonly duplicates: Counter;

  constructor(metrics: MetricsRegistry, queue: JobQueue) {
    this.scheduled = metrics.counter({
      name: 'minion_occurrences_scheduled_total',
      help: 'Occurrences enqueued, by trigger',
      labelNames: ['trigger'],
    });
    this.duplicates = metrics.counter({
      name: 'minion_occurrences_duplicate_total',
      help: 'Enqueues refused because the occurrence id was already known',
    });
    metrics.gauge({
      name: 'minion_queue_jobs',
      help: 'Occurrences in the queue, by state',
      labelNames: ['state'],
      async collect() {
        const counts = await queue.counts().catch(() => ({}) as Record<string, number>);
        for (const [state, value] of Object.entries(counts)) this.set({ state }, value);
      },
    });
  }
}
