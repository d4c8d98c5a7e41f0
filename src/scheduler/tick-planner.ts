import { MINUTE_MS } from '../common/clock';
import { CronSchedule } from '../common/cron/cron-schedule';
import { Occurrence, stampedOccurrence, Missed, minuteStamp } from '../domain/occurrence';
import { ScheduleIndex } from './schedule-index';
import { JobKey } from '../domain/job-key';

/** A job as the planner needs it: its cache key, where it lives, and its schedule. */
export interface PlannableJob {
  key: string;
  job: JobKey;
  schedule: CronSchedule | null;
}

export interface Plan {
  /** The minutes planned, oldest first (RFC 3339). */
  minutes: string[];
  occurrences: Occurrence[];
  /** Jobs with occurrences older than the catch-up window: not run, recorded as missed. */
  missed: Missed[];
  /** The last minute scheduled before this plan (where a catch-up started from). */
  from: number;
  /** The minute this plan brings the scheduler to. */
  to: number;
}

/** A timer firing a hair before the boundary still schedules the new minute. */
const EARLY_TICK_TOLERANCE_MS = 1000;
/** Most missed fire times counted per job when catching up after a long downtime. */
const MISSED_COUNT_CAP = 10_000;

/**
 * Which occurrences are due: pure computation over an index of next fire minutes, no I/O and no
 * Nest, so it is tested with plain values. `plan(now)` takes every job due in every minute since
 * the last one planned, up to the current minute, and moves each to its next fire minute;
 * minutes older than the catch-up window are not run but counted per job as missed.
 */
export class TickPlanner {
  private readonly index = new ScheduleIndex();
  private last: number | null = null;

  constructor(
    private readonly lookup: (key: string) => PlannableJob | undefined,
    private readonly catchUpWindowMs: number,
  ) {}

  /** The last minute planned (epoch ms), or null before `start`. */
  get lastPlanned(): number | null {
    return this.last;
  }

  get size(): number {
    return this.index.size;
  }

  /** Where `key` sits: its next fire minute (epoch ms). */
  nextOf(key: string): number | undefined {
    return this.index.slotOf(key);
  }

  /**
   * Starts from `lastPlanned` (the marker, or now's minute on a first start) with every job
   * placed after it, so minutes missed while down are found by the next plan. Jobs share
   * schedules: each distinct one is computed once.
   */
  start(lastPlanned: number, jobs: Iterable<PlannableJob>): void {
    this.last = lastPlanned;
    const memo = new Map<CronSchedule, number | null>();
    // Placed into an empty index (the usual start): no removal to look for, per job.
    const empty = this.index.size === 0;
    for (const job of jobs) {
      const next = job.schedule ? nextMinute(job.schedule, lastPlanned, memo) : null;
      if (!empty) this.index.set(job.key, next);
      else if (next !== null) this.index.add(job.key, next);
    }
  }

  /**
   * A job saved (or found changed by a refresh): it fires from its next time after now, never
   * at or before the last minute planned. A job saved at 10:00:10 does not fire for 10:00.
   */
  place(key: string, job: PlannableJob | null, now: number): void {
    if (this.last === null) return;
    if (!job?.schedule) return this.index.remove(key);
    this.index.set(key, job.schedule.nextAfter(Math.max(this.last, now))?.getTime() ?? null);
  }

  /** The next plan, or null when `now` is still in the last minute planned. */
  plan(now: Date): Plan | null {
    if (this.last === null) return null;
    const to = Math.floor((now.getTime() + EARLY_TICK_TOLERANCE_MS) / MINUTE_MS) * MINUTE_MS;
    if (to <= this.last) return null;
    const from = this.last;
    const windowStart = to - this.catchUpWindowMs;
    let first = from + MINUTE_MS;
    let missed: Missed[] = [];
    if (first < windowStart) {
      missed = this.skipOlderThan(windowStart);
      first = windowStart;
    }
    const occurrences: Occurrence[] = [];
    const minutes: string[] = [];
    for (let minute = first; minute <= to; minute += MINUTE_MS) {
      const stamp = minuteStamp(minute, now);
      minutes.push(stamp.minute);
      const memo = new Map<CronSchedule, number | null>();
      for (const key of this.index.take(minute)) {
        const job = this.lookup(key);
        if (!job?.schedule) continue;
        occurrences.push(stampedOccurrence(job.job, key, stamp));
        this.index.set(key, nextMinute(job.schedule, minute, memo));
      }
    }
    this.last = to;
    return { minutes, occurrences, missed, from, to };
  }

  /** Moves every job due before `windowStart` to its first fire time at or after it, counting what it skips. */
  private skipOlderThan(windowStart: number): Missed[] {
    const missed: Missed[] = [];
    for (const minute of this.index.minutesBefore(windowStart)) {
      for (const key of this.index.take(minute)) {
        const job = this.lookup(key);
        if (!job?.schedule) continue;
        let count = 1;
        let last = minute;
        for (
          let t = job.schedule.nextAfter(minute);
          t && t.getTime() < windowStart && count < MISSED_COUNT_CAP;
          t = job.schedule.nextAfter(t)
        ) {
          last = t.getTime();
          count++;
        }
        missed.push({
          job: job.job,
          key,
          first: minute,
          last,
          count,
          capped: count >= MISSED_COUNT_CAP,
        });
        this.index.set(key, job.schedule.nextAfter(windowStart - 1)?.getTime() ?? null);
      }
    }
    return missed;
  }
}

/** Next fire minute after `minute`, memoized per schedule for the duration of one plan. */
function nextMinute(
  schedule: CronSchedule,
  minute: number,
  memo: Map<CronSchedule, number | null>,
): number | null {
  if (!memo.has(schedule)) memo.set(schedule, schedule.nextAfter(minute)?.getTime() ?? null);
  return memo.get(schedule) as number | null;
}
