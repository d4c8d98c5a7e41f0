import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';

/** The job cache: its loads, its size, and the enabled jobs that cannot run as stored. */
@Injectable()
export class JobCacheMetrics {
  readonly loadDuration: Histogram;
  readonly loadFailures: Counter;

  constructor(private readonly metrics: MetricsRegistry) {
    this.loadDuration = metrics.histogram({
      name: 'minion_cache_load_duration_seconds',
      help: 'Job cache (re)load duration in seconds',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
    });
    this.loadFailures = metrics.counter({
      name: 'minion_cache_load_failures_total',
      help: 'Job cache loads that failed (the last good cache is kept)',
    });
  }

  /** Gauges read from the cache when Prometheus scrapes (the cache calls this once, built). */
  observe(cache: { readonly size: number; jobProblems(): { problem: string }[] }): void {
    this.metrics.gauge({
      name: 'minion_cache_jobs',
      help: 'Enabled jobs in the scheduler cache',
      collect() {
        this.set(cache.size);
      },
    });
    this.metrics.gauge({
      name: 'minion_jobs_unrunnable',
      help: 'Enabled jobs that cannot run as stored: unusable schedule, or a runner the account may not use',
      labelNames: ['problem'],
      collect() {
        const counts: Record<string, number> = { schedule: 0, runner: 0 };
        for (const p of cache.jobProblems()) counts[p.problem] = (counts[p.problem] ?? 0) + 1;
        for (const [problem, value] of Object.entries(counts)) this.set({ problem }, value);
      },
    });
  }
}
