import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { Clock, MINUTE_MS, minuteFloor, rfc3339 } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { CronSchedule } from '../common/cron/cron-schedule';
import { ServiceUnavailableError } from '../common/errors';
import { TimeoutError, withTimeout } from '../common/timeout';
import { MinionSettings } from '../config/settings';
import { SchedulerSettings } from './scheduler.config';
import { JobLog } from '../job-log/job-log';
import { JobKey } from '../repository/jobs.repository';
import { REPLICA } from '../common/replica';
import { Notifications } from '../notifications/notifications.service';
import { Executor } from './executor.service';
import { CachedJob, JobCache } from './job-cache.service';
import { JobQueue, QueueClosedError } from './job-queue';
import { MinuteTicker } from './minute-ticker';
import { manualOccurrence, Occurrence, parseJobKey, scheduledOccurrence } from './occurrence';
import { ScheduleIndex } from './schedule-index';
import { ScheduleMarker } from './schedule-marker';
import { SchedulerMetrics } from './scheduler.metrics';

const EARLY_TICK_TOLERANCE_MS = 1000;
/** A manual run's enqueue answers within this, or the API answers 503. */
const ENQUEUE_TIMEOUT_MS = 3000;

/** Most missed fire times counted per job when catching up after a long downtime. */
const MISSED_COUNT_CAP = 10_000;

export interface TickReport {
  minutes: string[];
  enqueued: number;
  duplicates: number;
  missedJobs: number;
  missedOccurrences: number;
}

interface Missed {
  key: string;
  first: number;
  last: number;
  count: number;
}

/**
 * The per-minute scheduler. At each minute boundary it takes the jobs due in every minute since
 * the last one it scheduled (the marker), enqueues one occurrence each (ids are deterministic, so
 * a second enqueue is a no-op), and moves each fired job to its next minute. Minutes older than
 * the catch-up window are not run: each job gets one `missed` record saying how many it missed.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly index = new ScheduleIndex();
  private readonly settings: SchedulerSettings;
  private lastScheduled: number | null = null;
  /** False until the first load is indexed: jobs are placed relative to lastScheduled. */
  private indexing = false;
  private unsent: Occurrence[] = [];
  private ticking = false;
  private stopping = false;
  private refreshTimer?: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(
    private readonly config: MinionSettings,
    private readonly clock: Clock,
    private readonly cache: JobCache,
    private readonly queue: JobQueue,
    private readonly executor: Executor,
    private readonly marker: ScheduleMarker,
    private readonly ticker: MinuteTicker,
    private readonly jobLog: JobLog,
    private readonly metrics: SchedulerMetrics,
    private readonly notifications: Notifications,
  ) {
    this.settings = config.scheduler;
    this.cache.onChange((key, job) => this.reindex(key, job));
    this.metrics.registerGauges({
      cacheSize: () => this.cache.size,
      queueCounts: async () => ({ ...(await this.queue.counts()) }),
      jobProblems: () => this.cache.jobProblems(),
    });
  }

  onApplicationBootstrap(): void {
    // In the background: a slow repository must not keep the HTTP server (and liveness) down.
    this.started = this.start().catch((err: Error) => {
      this.logger.error(`scheduler failed to start: ${err.message}`);
    });
  }

  /** Resolves when the first cache load finished and ticking began (tests await it). */
  ready(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  get indexedJobs(): number {
    return this.index.size;
  }

  /** Where `key` sits in the index (its next fire time, epoch ms), for diagnostics and tests. */
  nextIndexed(key: string): number | undefined {
    return this.index.slotOf(key);
  }

  private async start(): Promise<void> {
    await this.queue.start(this.executor.handle, this.settings.concurrency);
    // Never scheduled before (first start, or a migration from the Go service): begin with the
    // next minute rather than re-running the current one.
    this.lastScheduled =
      (await this.retry('read the schedule marker', () => this.marker.get())) ??
      minuteFloor(this.clock.now());
    for (let delay = 1000; !(await this.cache.load()); delay = Math.min(delay * 2, 60_000)) {
      if (this.stopping) return;
      await new Promise((r) => setTimeout(r, delay));
    }
    if (this.stopping) return;
    // Every job is placed after the marker, so minutes missed while down are found by the next tick,
    // and after the same instant: compute each distinct schedule once.
    const memo = new Map<CronSchedule, number | null>();
    for (const job of this.cache.all()) {
      this.index.set(
        job.key,
        job.schedule ? nextMinute(job.schedule, this.lastScheduled, memo) : null,
      );
    }
    this.indexing = true;
    this.ticker.start(() => void this.tick());
    this.refreshTimer = setInterval(() => void this.cache.load(), this.settings.refreshIntervalMs);
    this.refreshTimer.unref();
  }

  /** Retries `step` with backoff (1 s doubling to 60 s) until it succeeds or minion stops. */
  private async retry<T>(what: string, step: () => Promise<T>): Promise<T> {
    for (let delay = 1000; ; delay = Math.min(delay * 2, 60_000)) {
      try {
        return await step();
      } catch (err) {
        if (this.stopping) throw err;
        this.logger.warn(`could not ${what}, retrying in ${delay} ms: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /**
   * Enqueues a manual run; its id is returned to the client as `run_id`. A queue that does not
   * answer (Redis unreachable, or never reached since startup) is a 503 within a few seconds,
   * never a request that hangs.
   */
  async runNow(key: JobKey): Promise<string> {
    const occurrence = manualOccurrence(key, this.clock.now());
    try {
      await withTimeout(this.queue.enqueue([occurrence]), ENQUEUE_TIMEOUT_MS, 'the queue');
    } catch (err) {
      if (err instanceof QueueClosedError)
        throw new ServiceUnavailableError('minion is shutting down', 5);
      if (err instanceof TimeoutError) {
        throw new ServiceUnavailableError(
          `the queue is not available (${err.message}); the run ${occurrence.id} may still be queued when it answers`,
        );
      }
      throw new ServiceUnavailableError(`the queue is not available: ${(err as Error).message}`);
    }
    this.metrics.scheduled.inc({ trigger: 'manual' });
    return occurrence.id;
  }

  /** One scheduling pass up to the current minute. Returns null when there was nothing to do. */
  async tick(): Promise<TickReport | null> {
    if (this.ticking || this.stopping || !this.indexing || this.lastScheduled === null) return null;
    const now = this.clock.now();
    // A timer firing a hair before the boundary still schedules the new minute.
    const current = minuteFloor(now.getTime() + EARLY_TICK_TOLERANCE_MS);
    if (current <= this.lastScheduled) return null;
    this.ticking = true;
    const timer = this.metrics.tickDuration.startTimer();
    try {
      return await this.schedule(now, current);
    } finally {
      this.ticking = false;
      timer();
      this.metrics.lastTick.set(Date.now() / 1000);
    }
  }

  private async schedule(now: Date, current: number): Promise<TickReport> {
    const windowStart = current - this.settings.catchUpWindowMs;
    const from = this.lastScheduled as number;
    let first = from + MINUTE_MS;
    let missed: Missed[] = [];
    if (first < windowStart) {
      missed = this.skipOlderThan(windowStart);
      first = windowStart;
    }
    // Occurrences a failed enqueue left behind come first (their ids are deterministic).
    const occurrences: Occurrence[] = this.unsent.splice(0);
    const minutes: string[] = [];
    for (let minute = first; minute <= current; minute += MINUTE_MS) {
      minutes.push(rfc3339(new Date(minute)));
      const nextMemo = new Map<CronSchedule, number | null>();
      for (const key of this.index.take(minute)) {
        const job = this.cache.get(key);
        if (!job?.schedule) continue;
        occurrences.push(scheduledOccurrence(parseJobKey(key), minute, now));
        this.index.set(key, nextMinute(job.schedule, minute, nextMemo));
      }
    }
    // Synchronously with the loop above: a job saved while we await below is placed after `current`.
    this.lastScheduled = current;
    // Missed records first, so each job's history reads in order; one replica records them.
    if (missed.length > 0 && (await this.marker.claimCatchUp(from))) {
      await this.recordMissed(missed, now);
    }
    let added: string[];
    try {
      added = await this.queue.enqueue(occurrences);
    } catch (err) {
      this.unsent = occurrences;
      this.logger.error(
        `enqueue failed, ${occurrences.length} occurrence(s) retried next tick: ${(err as Error).message}`,
      );
      throw err;
    }
    await this.marker.advance(current).catch((err: Error) => {
      // Only a restart's catch-up reads it; a stale marker means refused duplicates, not misses.
      this.logger.warn(`could not record the last scheduled minute: ${err.message}`);
    });
    this.metrics.scheduled.inc({ trigger: 'schedule' }, added.length);
    this.metrics.duplicates.inc(occurrences.length - added.length);
    return {
      minutes,
      enqueued: added.length,
      duplicates: occurrences.length - added.length,
      missedJobs: missed.length,
      missedOccurrences: missed.reduce((n, m) => n + m.count, 0),
    };
  }

  /** Moves every job due before `windowStart` to its first fire time at or after it, counting what it skips. */
  private skipOlderThan(windowStart: number): Missed[] {
    const missed: Missed[] = [];
    for (const minute of this.index.minutesBefore(windowStart)) {
      for (const key of this.index.take(minute)) {
        const job = this.cache.get(key);
        if (!job?.schedule) continue;
        let count = 1;
        let last = minute;
        for (
          let t = job.schedule.nextAfter(minute);
          t && t.getTime() < windowStart;
          t = job.schedule.nextAfter(t)
        ) {
          last = t.getTime();
          if (++count >= MISSED_COUNT_CAP) break;
        }
        missed.push({ key, first: minute, last, count });
        this.index.set(key, job.schedule.nextAfter(windowStart - 1)?.getTime() ?? null);
      }
    }
    return missed;
  }

  private async recordMissed(missed: Missed[], now: Date): Promise<void> {
    this.metrics.missed.inc(missed.reduce((n, m) => n + m.count, 0));
    const window = `${Math.round(this.settings.catchUpWindowMs / 60_000)}m`;
    await mapWithConcurrency(missed, 16, async (m) => {
      const count = m.count >= MISSED_COUNT_CAP ? `at least ${m.count}` : String(m.count);
      const text =
        `${count} occurrence(s) between ${rfc3339(new Date(m.first))} and ${rfc3339(new Date(m.last))} ` +
        `were not run: minion was not scheduling then, and they are older than the ${window} catch-up window`;
      const runId = `${m.key}@${rfc3339(new Date(m.first))}`;
      this.notifications.notify({
        type: 'occurrence.missed',
        job: m.key,
        run_id: runId,
        count: m.count,
        error: text,
      });
      try {
        await this.jobLog.append(parseJobKey(m.key), {
          run_id: runId,
          trigger: 'schedule',
          scheduled_for: rfc3339(new Date(m.first)),
          attempt: 0,
          status: 'missed',
          started_at: now.toISOString(),
          finished_at: now.toISOString(),
          duration_ms: 0,
          error: text,
          missed_count: m.count,
          replica: REPLICA,
        });
      } catch (err) {
        this.metrics.runLogFailures.inc();
        this.logger.error(`could not record missed runs of ${m.key}: ${(err as Error).message}`);
      }
    });
    this.logger.warn(
      `catch-up: ${missed.length} job(s) had occurrences older than the catch-up window`,
    );
  }

  /**
   * A job saved (or found changed by a refresh) while running: it fires from its next time after
   * now. A job saved at 10:00:10 does not fire for 10:00.
   */
  private reindex(key: string, job: CachedJob | null): void {
    if (!this.indexing || this.lastScheduled === null) return;
    this.place(key, job, Math.max(this.lastScheduled, this.clock.now().getTime()));
  }

  /** Puts a job at its first fire time strictly after `after` (never at or before lastScheduled). */
  private place(key: string, job: CachedJob | null, after: number): void {
    if (!job?.schedule) return this.index.remove(key);
    this.index.set(key, job.schedule.nextAfter(after)?.getTime() ?? null);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.ticker.stop();
    clearInterval(this.refreshTimer);
    const { dropped, stillRunning } = await this.queue.stop(this.settings.shutdownTimeoutMs);
    if (dropped.length > 0) {
      this.logger.warn(
        `shutdown: ${dropped.length} queued occurrence(s) dropped (the in-memory queue cannot keep them): ` +
          dropped.slice(0, 50).join(', '),
      );
    }
    if (stillRunning > 0) {
      this.logger.warn(
        `shutdown: aborting ${stillRunning} run(s) still going after the shutdown timeout`,
      );
      this.executor.abortAll('minion is shutting down');
      await this.queue.stop(2000);
    }
    // Run records are written in the background: make sure the last ones reach the log.
    await this.executor.flush();
  }
}

/** Next fire minute after `minute`, memoized per schedule for the duration of one tick. */
function nextMinute(
  schedule: CronSchedule,
  minute: number,
  memo: Map<CronSchedule, number | null>,
): number | null {
  if (!memo.has(schedule)) memo.set(schedule, schedule.nextAfter(minute)?.getTime() ?? null);
  return memo.get(schedule) as number | null;
}
