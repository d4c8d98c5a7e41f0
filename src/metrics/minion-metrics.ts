import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';

function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  return (
    (register.getSingleMetric(name) as Counter<string>) ?? new Counter({ name, help, labelNames })
  );
}

function histogram(
  name: string,
  help: string,
  buckets: number[],
  labelNames: string[] = [],
): Histogram<string> {
  return (
    (register.getSingleMetric(name) as Histogram<string>) ??
    new Histogram({ name, help, labelNames, buckets })
  );
}

/** A gauge read at scrape time; re-registered so it reads from the current app instance. */
function liveGauge(
  name: string,
  help: string,
  labelNames: string[],
  collect: (g: Gauge<string>) => Promise<void> | void,
): Gauge<string> {
  register.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      await collect(this);
    },
  });
}

/**
 * Scheduling, queue and run metrics, in the default prom-client registry served at /metrics
 * (counters are shared by every app instance in a process, as the registry is).
 */
@Injectable()
export class MinionMetrics {
  readonly scheduled = counter(
    'minion_occurrences_scheduled_total',
    'Occurrences enqueued, by trigger',
    ['trigger'],
  );
  readonly duplicates = counter(
    'minion_occurrences_duplicate_total',
    'Enqueues refused because the occurrence id was already known',
  );
  readonly missed = counter(
    'minion_occurrences_missed_total',
    'Occurrences older than the catch-up window, recorded as missed',
  );
  readonly runs = counter('minion_runs_total', 'Run attempts, by runner and status', [
    'runner',
    'status',
  ]);
  readonly runDuration = histogram(
    'minion_run_duration_seconds',
    'Run attempt duration in seconds, by runner',
    [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    ['runner'],
  );
  readonly outcomes = counter(
    'minion_run_outcomes_total',
    "Actions' outcomes (reached, already, not waited, timeout, elsewhere, refused, interrupted), by runner type",
    ['type', 'result'],
  );
  readonly timeToState = histogram(
    'minion_time_to_target_state_seconds',
    'From the end of the action to the resource seen in its target state, by runner type',
    [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    ['type'],
  );
  readonly auditFailures = counter(
    'minion_audit_failures_total',
    'Audit entries that could not be stored (the change itself was made)',
  );
  readonly startDelay = histogram(
    'minion_run_start_delay_seconds',
    'Fire lag: from the minute an occurrence was scheduled for to the start of its first attempt',
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
  );
  readonly loadDuration = histogram(
    'minion_cache_load_duration_seconds',
    'Job cache (re)load duration in seconds',
    [0.1, 0.5, 1, 5, 15, 60, 300],
  );
  readonly loadFailures = counter(
    'minion_cache_load_failures_total',
    'Job cache loads that failed (the last good cache is kept)',
  );
  readonly tickDuration = histogram(
    'minion_tick_duration_seconds',
    'Scheduler tick duration in seconds',
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  readonly lastTick = (() => {
    register.removeSingleMetric('minion_last_tick_timestamp_seconds');
    return new Gauge({
      name: 'minion_last_tick_timestamp_seconds',
      help: 'When the last scheduler tick finished (Unix time)',
    });
  })();

  /** Gauges whose value is read from a live component when Prometheus scrapes. */
  registerGauges(sources: {
    cacheSize: () => number;
    queueCounts: () => Promise<Record<string, number>>;
    jobProblems: () => { problem: string }[];
  }): void {
    liveGauge('minion_cache_jobs', 'Enabled jobs in the scheduler cache', [], (g) =>
      g.set(sources.cacheSize()),
    );
    liveGauge(
      'minion_jobs_unrunnable',
      'Enabled jobs that cannot run as stored: unusable schedule, or a runner the account may not use',
      ['problem'],
      (g) => {
        const counts: Record<string, number> = { schedule: 0, runner: 0 };
        for (const p of sources.jobProblems()) counts[p.problem] = (counts[p.problem] ?? 0) + 1;
        for (const [problem, value] of Object.entries(counts)) g.set({ problem }, value);
      },
    );
    liveGauge('minion_queue_jobs', 'Occurrences in the queue, by state', ['state'], async (g) => {
      const counts = await sources.queueCounts().catch(() => ({}) as Record<string, number>);
      for (const [state, value] of Object.entries(counts)) g.set({ state }, value);
    });
  }
}
