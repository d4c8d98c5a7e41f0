import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { TurnBatch } from '../common/turn-batch';

/** Attempts and what they did (by runner and status, duration, fire lag, outcomes), and misses. */
@Injectable()
export class RunMetrics {
  readonly runs: Counter<'runner' | 'status'>;
  readonly runDuration: Histogram<'runner'>;
  readonly outcomes: Counter<'type' | 'result'>;
  readonly timeToState: Histogram<'type'>;
  readonly startDelay: Histogram;
  readonly lag: Histogram<'trigger'>;
  readonly missed: Counter<'reason'>;
  readonly fleetResources: Counter<'type' | 'result'>;
  /** Lags of attempts started, counted after the work at hand (see `observeLag`). */
  private readonly lags = new TurnBatch<string, number>((trigger, seconds) => {
    this.startDelay.observe(seconds);
    this.lag.observe({ trigger }, seconds);
  });
  /** What counts work held for later (the recorder's reports): run before any read. */
  private readonly pending: (() => void)[] = [() => this.lags.drain()];

  constructor(metrics: MetricsRegistry) {
    this.runs = metrics.counter({
      name: 'minion_runs_total',
      help: 'Run attempts, by runner and status',
      labelNames: ['runner', 'status'],
      collect: () => this.settle(),
    });
    this.runDuration = metrics.histogram({
      name: 'minion_run_duration_seconds',
      help: 'Run attempt duration in seconds, by runner',
      labelNames: ['runner'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      collect: () => this.settle(),
    });
    this.outcomes = metrics.counter({
      name: 'minion_run_outcomes_total',
      help: "Actions' outcomes (reached, already, not waited, timeout, elsewhere, refused, interrupted), by runner type",
      labelNames: ['type', 'result'],
    });
    this.timeToState = metrics.histogram({
      name: 'minion_time_to_target_state_seconds',
      help: 'From the end of the action to the resource seen in its target state, by runner type',
      labelNames: ['type'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    });
    this.startDelay = metrics.histogram({
      name: 'minion_run_start_delay_seconds',
      help: 'Fire lag (deprecated: minion_occurrence_lag_seconds): from the scheduled minute to the start of the first attempt',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
      collect: () => this.settle(),
    });
    this.lag = metrics.histogram({
      name: 'minion_occurrence_lag_seconds',
      help: "Lag: from the minute an occurrence was scheduled for to its action's start (first attempt), by trigger",
      labelNames: ['trigger'],
      // From a healthy minute boundary (tens of ms) to a catch-up after minutes of downtime.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      collect: () => this.settle(),
    });
    this.fleetResources = metrics.counter({
      name: 'minion_fleet_resources_total',
      help: 'Resources of tag-selected fleets, by runner type and what became of each (reached, already, skipped, failed, timeout, ...)',
      labelNames: ['type', 'result'],
    });
    this.missed = metrics.counter({
      name: 'minion_occurrences_missed_total',
      help: 'Occurrences not run, by reason: catch_up_window (older than the catch-up window after downtime), previous_run_running (its job still running after the run timeout), dropped_at_shutdown (in-memory queue)',
      labelNames: ['reason'],
      collect: () => this.settle(),
    });
  }

  /**
   * `count` runs before any read of these metrics (`/metrics`, tests): work held to be counted
   * after the runs at hand is counted then, so a read is never behind what happened.
   */
  beforeRead(count: () => void): void {
    this.pending.push(count);
  }

  private settle(): void {
    for (const count of this.pending) count();
  }

  /**
   * A first attempt's lag (both lag histograms). Counted right after the work at hand, not on
   * the run path: at a minute boundary the observations (label hashing, bucket search) follow
   * the minute's starts instead of each start waiting behind them. A read of either histogram
   * (`/metrics`) counts what is pending first, so what it shows is never behind.
   */
  observeLag(trigger: string, seconds: number): void {
    this.lags.add(trigger, seconds);
  }
}
