import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { backoffDelays, retrying } from '../common/backoff';
import { Clock, minuteFloor } from '../common/clock';
import { SchedulerSettings } from './scheduler.config';
import { JobQueue } from '../coordination/job-queue';
import { Occurrence } from '../domain/occurrence';
import { ScheduleMarker } from '../coordination/schedule-marker';
import { QueueMetrics } from '../coordination/queue.metrics';
import { SchedulerMetrics } from './scheduler.metrics';
import { Executor } from '../runs/executor.service';
import { RunRecorder } from '../runs/run-recorder.service';
import { JobCache } from '../job-cache/job-cache.service';
import { MinuteTicker } from './minute-ticker';
import { TickPlanner } from './tick-planner';

/** Occurrences per `enqueue` call of a tick (one Redis transaction each with BullMQ). */
const ENQUEUE_CHUNK = 1000;

export interface TickReport {
  minutes: string[];
  enqueued: number;
  duplicates: number;
  missedJobs: number;
  missedOccurrences: number;
}

/**
 * The scheduler's lifecycle: boots (reads the marker and loads the job cache, retrying with
 * backoff, in the background so a slow repository never keeps the HTTP server down), starts the
 * queue's consumer (executor, then recorder), ticks at every minute boundary (the planner says
 * what is due, missed occurrences are recorded, the rest enqueued, the marker advanced), reloads
 * the cache every refresh interval, and on shutdown stops ticking, lets runs finish, aborts the
 * rest at the deadline and flushes the history.
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SchedulerService.name);
  private readonly settings: SchedulerSettings;
  private readonly planner: TickPlanner;
  /** Occurrences a failed enqueue left behind: sent first with the next tick (ids are stable). */
  private unsent: Occurrence[] = [];
  /** Stand-by checks of ticks another replica claimed (see `standBy`). */
  private readonly takeovers = new Set<NodeJS.Timeout>();
  private ticking = false;
  private stopping = false;
  private refreshTimer?: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(
    settings: SchedulerSettings,
    private readonly clock: Clock,
    private readonly cache: JobCache,
    private readonly queue: JobQueue,
    private readonly executor: Executor,
    private readonly recorder: RunRecorder,
    private readonly marker: ScheduleMarker,
    private readonly ticker: MinuteTicker,
    private readonly metrics: SchedulerMetrics,
    private readonly queueMetrics: QueueMetrics,
  ) {
    this.settings = settings;
    this.planner = new TickPlanner((key) => this.cache.get(key), this.settings.catchUpWindowMs);
    // Not placed before the planner starts (it places every job then): the first load's 100k
    // changes would each read the clock for nothing.
    this.cache.onChange((key, job) => {
      if (this.planner.lastPlanned !== null)
        this.planner.place(key, job, this.clock.now().getTime());
    });
  }

  onApplicationBootstrap(): void {
    this.started = this.start().catch((err: Error) => {
      this.logger.error(`scheduler failed to start: ${err.message}`);
    });
  }

  /** Resolves when the first cache load finished and ticking began (tests await it). */
  ready(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  get indexedJobs(): number {
    return this.planner.size;
  }

  /** Where `key` sits in the index (its next fire time, epoch ms), for diagnostics and tests. */
  nextIndexed(key: string): number | undefined {
    return this.planner.nextOf(key);
  }

  private async start(): Promise<void> {
    await this.queue.start(
      {
        execute: (occurrence, attempt) => this.executor.execute(occurrence, attempt),
        report: (report) => this.recorder.record(report),
        lost: (occurrence, lost) => this.recorder.lost(occurrence, lost),
      },
      this.settings.concurrency,
      this.settings.maxWaiting,
    );
    // Never scheduled before (first start, or a migration from the Go service): begin with the
    // next minute rather than re-running the current one.
    const marker = await this.untilItWorks('read the schedule marker', () => this.marker.get());
    await this.untilItWorks('load the job cache', async () => {
      if (!(await this.cache.load())) throw new Error(this.cache.lastLoadError ?? 'load failed');
    });
    if (this.stopping) return;
    this.planner.start(marker ?? minuteFloor(this.clock.now()), this.cache.all());
    // A tick that fails (Redis down at the minute: its occurrences wait for the next tick) must
    // not become an unhandled rejection, which ends the process and loses those occurrences.
    this.ticker.start(
      () =>
        void this.tick().catch((err: Error) =>
          this.logger.warn(`tick did not complete, the next one retries: ${err.message}`),
        ),
    );
    this.refreshTimer = setInterval(() => void this.cache.load(), this.settings.refreshIntervalMs);
    this.refreshTimer.unref();
  }

  /** Retries `step` with backoff (1 s doubling to 60 s) until it succeeds or minion stops. */
  private untilItWorks<T>(what: string, step: () => Promise<T>): Promise<T> {
    return retrying(step, {
      delays: backoffDelays({ baseMs: 1000, maxMs: 60_000 }),
      retryable: () => !this.stopping,
      onRetry: (err, delay) =>
        this.logger.warn(`could not ${what}, retrying in ${delay} ms: ${(err as Error).message}`),
    });
  }

  /** Whether this replica enqueues the tick; when Redis cannot say, it does (copies are refused). */
  private async claimEnqueue(fromMs: number, toMs: number): Promise<boolean> {
    return this.marker.claimEnqueue(fromMs, toMs).catch(() => true);
  }

  /**
   * Another replica claimed the tick up to `toMs`: after `enqueueTakeover`, if the marker did
   * not reach that minute and the enqueuer stopped saying it is still enqueuing (it died), enqueue
   * the occurrences here; the queue refuses any the enqueuer did add. While it is still at it (a
   * large tick: 100k occurrences take longer than enqueueTakeover), wait another round.
   * What cannot be enqueued waits for the next tick.
   */
  private standBy(fromMs: number, toMs: number, occurrences: Occurrence[]): void {
    const timer = setTimeout(() => {
      this.takeovers.delete(timer);
      if (this.stopping) return;
      void (async () => {
        const marker = await this.marker.get().catch(() => null);
        if (marker !== null && marker >= toMs) return;
        if (await this.marker.stillEnqueuing(fromMs, toMs).catch(() => false)) {
          this.standBy(fromMs, toMs, occurrences);
          return;
        }
        this.logger.warn(
          `the replica that claimed the tick up to ${new Date(toMs).toISOString()} did not finish it: enqueuing its ${occurrences.length} occurrence(s) here`,
        );
        try {
          const added = await this.queue.enqueue(occurrences, { tickSize: occurrences.length });
          this.queueMetrics.scheduled.inc({ trigger: 'schedule' }, added.length);
          await this.marker.advance(toMs).catch(() => undefined);
        } catch {
          this.unsent.push(...occurrences);
        }
      })();
    }, this.settings.enqueueTakeoverMs);
    timer.unref();
    this.takeovers.add(timer);
  }

  /**
   * Enqueues in chunks, saying before each that this replica is still enqueuing the tick (see
   * standBy); each chunk reaches the workers at once (one `addBulk` of 100k occurrences is one
   * Redis transaction that holds every worker back until it is done). On failure, what was not
   * enqueued is kept for the next tick.
   */
  private async enqueueTick(
    from: number,
    to: number,
    occurrences: Occurrence[],
  ): Promise<string[]> {
    const added: string[] = [];
    let sent = 0;
    try {
      while (sent < occurrences.length) {
        await this.marker
          .enqueuing(from, to, this.settings.enqueueTakeoverMs)
          .catch(() => undefined);
        const chunk = occurrences.slice(sent, sent + ENQUEUE_CHUNK);
        const options = { tickSize: occurrences.length };
        for (const id of await this.queue.enqueue(chunk, options)) added.push(id);
        sent += chunk.length;
      }
      return added;
    } catch (err) {
      this.unsent = occurrences.slice(sent);
      this.logger.error(
        `enqueue failed, ${this.unsent.length} occurrence(s) retried next tick: ${(err as Error).message}`,
      );
      throw err;
    }
  }

  /** One scheduling pass up to the current minute. Returns null when there was nothing to do. */
  async tick(): Promise<TickReport | null> {
    if (this.ticking || this.stopping) return null;
    const now = this.clock.now();
    const plan = this.planner.plan(now);
    if (!plan) return null;
    this.ticking = true;
    const stopTimer = this.metrics.tickDuration.startTimer();
    try {
      // Missed records first, so each job's history reads in order; one replica records them.
      if (plan.missed.length > 0 && (await this.marker.claimCatchUp(plan.from))) {
        await this.recorder.missed(plan.missed, this.settings.catchUpWindowMs);
      }
      // With several replicas one enqueues the tick (Redis would refuse the others' copies, at
      // the cost of a second add of every occurrence); the others stand by to take over.
      if (this.unsent.length === 0 && !(await this.claimEnqueue(plan.from, plan.to))) {
        this.standBy(plan.from, plan.to, plan.occurrences);
        return {
          minutes: plan.minutes,
          enqueued: 0,
          duplicates: 0,
          missedJobs: plan.missed.length,
          missedOccurrences: plan.missed.reduce((n, m) => n + m.count, 0),
        };
      }
      const occurrences = [...this.unsent.splice(0), ...plan.occurrences];
      const added = await this.enqueueTick(plan.from, plan.to, occurrences);
      await this.marker.advance(plan.to).catch((err: Error) => {
        // Only a restart's catch-up reads it; a stale marker means refused duplicates, not misses.
        this.logger.warn(`could not record the last scheduled minute: ${err.message}`);
      });
      this.queueMetrics.scheduled.inc({ trigger: 'schedule' }, added.length);
      this.queueMetrics.duplicates.inc(occurrences.length - added.length);
      return {
        minutes: plan.minutes,
        enqueued: added.length,
        duplicates: occurrences.length - added.length,
        missedJobs: plan.missed.length,
        missedOccurrences: plan.missed.reduce((n, m) => n + m.count, 0),
      };
    } finally {
      this.ticking = false;
      stopTimer();
      this.metrics.lastTick.set(Date.now() / 1000);
    }
  }

  /**
   * Stops ticking and taking work; runs waiting for an outcome end at once, recorded as
   * interrupted; runs in flight get `shutdownTimeout`, then are aborted; the history is flushed last.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.ticker.stop();
    clearInterval(this.refreshTimer);
    // A replica still up takes over what this one stood by for.
    for (const timer of this.takeovers) clearTimeout(timer);
    this.takeovers.clear();
    // Waits for a target state can last half an hour: they end now, each recorded as
    // interrupted (the action was taken; a retry, on a replica still up, checks the state again).
    this.executor.interruptWaits('minion is shutting down');
    const deadline = setTimeout(
      () => this.executor.abortAll('minion is shutting down'),
      this.settings.shutdownTimeoutMs,
    );
    const { dropped, stillRunning } = await this.queue.stop(this.settings.shutdownTimeoutMs + 2000);
    clearTimeout(deadline);
    this.recorder.droppedAtShutdown(dropped.length);
    if (dropped.length > 0) {
      this.logger.warn(
        `shutdown: ${dropped.length} queued occurrence(s) dropped (the in-memory queue cannot keep them): ` +
          dropped.slice(0, 50).join(', '),
      );
    }
    if (stillRunning > 0) {
      this.logger.warn(`shutdown: ${stillRunning} run(s) did not stop after being aborted`);
    }
    await this.recorder.flush();
  }
}
