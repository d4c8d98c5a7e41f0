import { Injectable, Logger } from '@nestjs/common';
import { Clock, rfc3339 } from '../common/clock';
import { REPLICA } from '../common/replica';
import { TurnBatch } from '../common/turn-batch';
import { occurrenceId } from '../domain/job-key';
import { jobOf, Missed, Occurrence } from '../domain/occurrence';
import { JobLog } from '../job-log/job-log';
import { FleetSummary, ResourceOutcome } from '../domain/fleet';
import { RunRecord } from '../domain/run-record';
import { FENCED_PREFIX, SUCCEEDED_BEFORE_FENCED } from '../domain/fence';
import { RunMetrics } from './runs.metrics';
import { MinionEvent } from '../notifications/minion-event';
import { Notifications } from '../notifications/notifications.service';
import { JobCache } from '../job-cache/job-cache.service';
import {
  AttemptOutcome,
  AttemptReport,
  LostAttempt,
  LostVerdict,
  MAX_LOST_ATTEMPTS,
} from '../domain/attempt';

/** Records of a job read back to find a lost attempt's own record (it is among the newest). */
const LOST_LOOKBACK = 20;
/**
 * Reports held for recording after the runs being started (see `record`); past this many, a
 * report is recorded at once again, so a log that cannot keep up slows the runs down (the
 * run log's own backpressure) rather than the held reports growing without bound.
 */
const MAX_HELD = 10_000;

/**
 * The one place a run becomes history: it builds every `RunRecord` (attempts, attempts a dead
 * replica lost, missed occurrences), stamps this replica on it, counts it, announces failures
 * and skips to the notification channels, and hands it to the run log, which writes in the
 * background (`flush` at shutdown).
 */
@Injectable()
export class RunRecorder {
  private readonly logger = new Logger(RunRecorder.name);
  /** Reports held until the turn ends, with when each came (epoch ms): see `record`. */
  private readonly held = new TurnBatch<AttemptReport, number>((report, finished) =>
    this.recordNow(report, finished).catch((err: Error) =>
      this.logger.error(`record of ${report.occurrence.id}: ${err.message}`),
    ),
  );

  constructor(
    private readonly jobLog: JobLog,
    private readonly metrics: RunMetrics,
    private readonly notifications: Notifications,
    private readonly cache: JobCache,
    private readonly clock: Clock,
  ) {
    // A read of the run metrics counts the reports still held first.
    this.metrics.beforeRead(() => this.held.drain());
  }

  /**
   * An attempt's outcome, with the queue's retry decision. Recorded (record built, counted,
   * announced, handed to the run log) right after the work at hand: at a minute boundary every
   * slot goes on to its next occurrence at once and the minute's records follow its starts,
   * instead of each start waiting behind the records before it. The run log writes in the
   * background anyway (in batches of up to 20 ms); holding a record here only until the current
   * turn of the event loop ends adds nothing a crash could lose that the batch would not have,
   * as the batch is only committed after that turn too. `finished_at` is this call's time.
   */
  async record(report: AttemptReport): Promise<void> {
    const finished = this.clock.now().getTime();
    if (this.held.size >= MAX_HELD) {
      // Oldest first: each job's history stays in order.
      this.held.drain();
      return this.recordNow(report, finished);
    }
    this.held.add(report, finished);
  }

  private async recordNow(
    { occurrence, attempt, outcome, willRetry }: AttemptReport,
    finishedMs: number,
  ): Promise<void> {
    const finished = new Date(finishedMs);
    const runner = outcome.runner ?? '';
    if (outcome.status === 'dropped') {
      this.metrics.runs.inc({ runner: runner || 'unknown', status: 'skipped' });
      this.logger.warn(`occurrence ${occurrence.id} dropped: ${outcome.reason}`);
      return;
    }
    const record: RunRecord = {
      ...base(occurrence, attempt.number, outcome.startedAt, finished, runner),
      status: outcome.status,
      ...detailsOf(outcome, willRetry),
    };
    this.metrics.runs.inc({ runner: runner || 'unknown', status: outcome.status });
    if (outcome.status === 'skipped' && outcome.missed) {
      this.metrics.missed.inc({ reason: outcome.missed });
    }
    if (outcome.status === 'succeeded' || outcome.status === 'failed') {
      this.metrics.runDuration.observe({ runner }, record.duration_ms / 1000);
    }
    // An operator's skip, or a run a shutdown interrupted (settled by the next attempt): no alert.
    const quiet =
      (outcome.status === 'skipped' && outcome.deliberate) || outcome.status === 'interrupted';
    if (!quiet) this.announce(occurrence.key, record);
    await this.jobLog.append(jobOf(occurrence), record);
  }

  /**
   * The attempt a replica started and never finished in the queue (it died, or was cut off from
   * Redis). When that attempt's own record says `succeeded` (a run log the replicas share: it
   * acted, wrote its history, then lost Redis), or says it was fenced after it had succeeded
   * (paused past lockDuration right after acting), the occurrence is `settled`. When it says the
   * attempt ended and will be retried (e.g. it did not act because Redis did not answer its
   * fence check, and the queue never heard), it runs again with nothing more on the record.
   * That holds for a final loss too (`lost.final`: the occurrence lost with a replica
   * MAX_LOST_ATTEMPTS times). Otherwise its outcome is unknown, and that goes on the record: with
   * a retry to come, or, for a final loss, as the occurrence's failure (alerted), once, and the
   * occurrence has `ended`.
   */
  async lost(occurrence: Occurrence, lost: LostAttempt): Promise<LostVerdict> {
    this.held.drain();
    const own = await this.ownRecords(occurrence, lost.number);
    // Its success, or its fenced record saying it had succeeded before it learnt that its claim
    // was lost (a replica paused past lockDuration right after acting, that woke up before the
    // occurrence was taken over): the action took effect, it is not sent again.
    if (own.some((r) => r.status === 'succeeded' || succeededBeforeFenced(r))) return 'settled';
    if (own.some((r) => r.will_retry === true)) return 'unknown';
    // Its end is on the record already: written by a replica that recorded this final loss and
    // died in turn, or the attempt's own final outcome. Not a fenced attempt's `interrupted`
    // (will_retry false too): that one leaves the outcome to whoever took the occurrence over.
    const ended = own.some((r) => r.will_retry === false && r.status !== 'interrupted');
    if (lost.final && ended) return 'ended';
    const started = new Date(lost.startedAt);
    const at = Number.isNaN(started.getTime()) ? this.clock.now() : started;
    // The dead replica's outcome never came; the runner is the job's, as far as we know it now.
    const runner = this.cache.get(occurrence.key)?.doc.details.runner ?? '';
    const record: RunRecord = {
      ...base(occurrence, lost.number, at, this.clock.now(), runner),
      status: 'failed',
      error:
        `replica ${lost.replica} stopped during this attempt (its run was found stalled); ` +
        (lost.final
          ? `whether the action took effect is unknown, and replicas stopped during its attempts ${MAX_LOST_ATTEMPTS} times: not run again`
          : 'whether the action took effect is unknown, so it runs again'),
      will_retry: !lost.final,
      replica: lost.replica,
    };
    this.metrics.runs.inc({ runner: runner || 'unknown', status: 'failed' });
    this.announce(occurrence.key, record);
    // Written before the next attempt starts: a replica that dies in its turn during that attempt
    // would otherwise take this record with it (the next one only sees its own attempt lost).
    await this.jobLog.appendWritten(jobOf(occurrence), record);
    return lost.final ? 'ended' : 'unknown';
  }

  /** The records of attempt `attempt` of the occurrence (unreadable log: none). */
  private async ownRecords(occurrence: Occurrence, attempt: number): Promise<RunRecord[]> {
    try {
      const recent = await this.jobLog.list(jobOf(occurrence), LOST_LOOKBACK);
      return recent.filter((r) => r.run_id === occurrence.id && r.attempt === attempt);
    } catch {
      return [];
    }
  }

  /** One `missed` record per job, saying how many occurrences were not run and between when. */
  async missed(missed: Missed[], catchUpWindowMs: number): Promise<void> {
    this.held.drain();
    const now = this.clock.now();
    this.metrics.missed.inc(
      { reason: 'catch_up_window' },
      missed.reduce((n, m) => n + m.count, 0),
    );
    const window = `${Math.round(catchUpWindowMs / 60_000)}m`;
    for (const m of missed) {
      const first = rfc3339(new Date(m.first));
      const count = m.capped ? `at least ${m.count}` : String(m.count);
      const text =
        `${count} occurrence(s) between ${first} and ${rfc3339(new Date(m.last))} were not ` +
        `run: minion was not scheduling then, and they are older than the ${window} catch-up window`;
      const record: RunRecord = {
        run_id: occurrenceId(m.key, first),
        trigger: 'schedule',
        scheduled_for: first,
        attempt: 0,
        status: 'missed',
        started_at: now.toISOString(),
        finished_at: now.toISOString(),
        duration_ms: 0,
        error: text,
        missed_count: m.count,
        replica: REPLICA,
      };
      this.announce(m.key, record);
      await this.jobLog.append(m.job, record);
    }
    if (missed.length > 0) {
      this.logger.warn(
        `catch-up: ${missed.length} job(s) had occurrences older than the catch-up window`,
      );
    }
  }

  /** Occurrences the in-memory queue held, not started, when minion stopped: counted as missed. */
  droppedAtShutdown(count: number): void {
    if (count > 0) this.metrics.missed.inc({ reason: 'dropped_at_shutdown' }, count);
  }

  /** Resolves when every record so far is written (shutdown). */
  flush(): Promise<void> {
    this.held.drain();
    return this.jobLog.flush();
  }

  /** `job`: the job's `jobRef`, as events name it. */
  private announce(job: string, record: RunRecord): void {
    const event = eventOf(job, record);
    if (event) this.notifications.notify(event);
  }
}

function base(
  occurrence: Occurrence,
  attempt: number,
  started: Date,
  finished: Date,
  runner: string,
): Omit<RunRecord, 'status'> {
  return {
    run_id: occurrence.id,
    trigger: occurrence.trigger,
    scheduled_for: occurrence.scheduledFor,
    attempt,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_ms: finished.getTime() - started.getTime(),
    runner,
    replica: REPLICA,
    ...(occurrence.sequence ? { sequence: occurrence.sequence } : {}),
  };
}

/** The record of a fenced attempt that had succeeded before it learnt it (fenced-outcome.ts). */
function succeededBeforeFenced(r: RunRecord): boolean {
  return (
    r.status === 'interrupted' &&
    r.error?.startsWith(FENCED_PREFIX) === true &&
    r.error.endsWith(SUCCEEDED_BEFORE_FENCED)
  );
}

function detailsOf(outcome: AttemptOutcome, willRetry: boolean): Partial<RunRecord> {
  switch (outcome.status) {
    case 'succeeded':
      return { output: outcome.output, ...resultOf(outcome) };
    case 'failed':
      return { error: outcome.error, will_retry: willRetry, ...resultOf(outcome) };
    case 'interrupted':
      return { error: outcome.reason, will_retry: willRetry, ...resultOf(outcome) };
    default:
      return { error: outcome.reason };
  }
}

/** What a run that acted keeps, whatever its status: the request, outcome, fleet and steps. */
function resultOf(o: {
  requestId?: string;
  outcome?: RunRecord['outcome'];
  fleet?: FleetSummary;
  resources?: ResourceOutcome[];
  steps?: RunRecord['steps'];
}): Partial<RunRecord> {
  return {
    request_id: o.requestId,
    outcome: o.outcome,
    ...(o.fleet ? { fleet: o.fleet, resources: o.resources } : {}),
    ...(o.steps ? { steps: o.steps } : {}),
  };
}

/** Failed attempts, skipped and missed occurrences go to the notification channels. */
function eventOf(job: string, record: RunRecord): MinionEvent | null {
  switch (record.status) {
    case 'failed':
      return {
        type: 'run.failed',
        job,
        run_id: record.run_id,
        attempt: record.attempt,
        final: record.will_retry !== true,
        runner: record.runner ?? '',
        error: record.error ?? '',
      };
    case 'skipped':
      return { type: 'occurrence.skipped', job, run_id: record.run_id, error: record.error ?? '' };
    case 'missed':
      return {
        type: 'occurrence.missed',
        job,
        run_id: record.run_id,
        count: record.missed_count ?? 0,
        error: record.error ?? '',
      };
    default:
      return null;
  }
}
