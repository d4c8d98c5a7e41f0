import { Injectable, Logger } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { Clock } from '../common/clock';
import { REPLICA } from '../common/replica';
import { DomainError, InvalidFieldError, JobNotFoundError, RunnerError } from '../common/errors';
import { MinionSettings } from '../config/settings';
import { JobLog } from '../job-log/job-log';
import { RunRecord, RunStatus } from '../job-log/run-record';
import { JobDocument } from '../repository/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { Notifications } from '../notifications/notifications.service';
import { RunResult } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from './job-cache.service';
import { JobLock } from './job-lock';
import { Attempt, JobBusyError, LostAttempt } from './job-queue';
import { jobKeyString, Occurrence, occurrenceKey } from './occurrence';
import { SchedulerMetrics } from './scheduler.metrics';
import { MinionEvent } from '../notifications/minion-event';

const MAX_OUTPUT = 64 * 1024;
const MAX_PENDING_WRITES = 10_000;

/**
 * Runs one attempt of an occurrence: finds the job (cache, else repository, so a job created
 * moments ago on another replica still runs), never overlaps a running occurrence of the same job
 * (it waits; after waiting a whole run timeout it is recorded as skipped), checks the runner and
 * the account's allow-list again, runs with a
 * timeout and an abort signal, and records the outcome. Throws a RunnerError on failure so the
 * queue can retry (or not, when the error is permanent).
 */
@Injectable()
export class Executor {
  private readonly logger = new Logger(Executor.name);
  private readonly shutdown = new AbortController();
  private readonly settings;
  /** Run-log writes in flight: a run's slot is not held while its record is written. */
  private readonly pendingWrites = new Set<Promise<void>>();

  constructor(
    config: MinionSettings,
    private readonly cache: JobCache,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly jobLog: JobLog,
    private readonly lock: JobLock,
    private readonly metrics: SchedulerMetrics,
    private readonly clock: Clock,
    private readonly notifications: Notifications,
  ) {
    this.settings = config.scheduler;
    // One abort listener per run in flight: as many as the concurrency allows.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** Aborts every run in flight (shutdown timeout reached). */
  abortAll(reason: string): void {
    this.shutdown.abort(new Error(reason));
  }

  /** Resolves when every run record handed to the log so far is written. */
  async flush(): Promise<void> {
    while (this.pendingWrites.size > 0) await Promise.all([...this.pendingWrites]);
  }

  readonly handle = async (occurrence: Occurrence, attempt: Attempt): Promise<void> => {
    const key = occurrenceKey(occurrence);
    const keyString = jobKeyString(key);
    const started = this.clock.now();
    const doc = await this.findJob(keyString, occurrence);
    if (!doc) {
      this.logger.warn(`occurrence ${occurrence.id} dropped: the job no longer exists`);
      this.metrics.runs.inc({ runner: 'unknown', status: 'skipped' });
      return;
    }
    const runnerName = doc.details.runner ?? '';
    const record = (status: RunStatus, extra: Partial<RunRecord>) =>
      this.record(occurrence, attempt.number, started, runnerName, status, extra);
    if (attempt.lost) await this.recordLost(occurrence, attempt.lost, runnerName);

    if (occurrence.trigger === 'schedule' && !doc.enabled) {
      return record('skipped', {
        error: 'the job was disabled after this occurrence was scheduled',
      });
    }
    const lease = await this.lock.acquire(keyString, this.settings.runTimeoutMs + 60_000);
    if (!lease) {
      // Another replica runs this job: wait (the queue re-queues us) unless we waited too long.
      const waited = started.getTime() - Date.parse(occurrence.enqueuedAt);
      if (waited < this.settings.runTimeoutMs) throw new JobBusyError(keyString);
      return record('skipped', {
        error: `a previous run of this job was still in progress after ${waited} ms`,
      });
    }
    if (occurrence.scheduledFor && attempt.number === 1) {
      const lag = this.clock.now().getTime() - Date.parse(occurrence.scheduledFor);
      this.metrics.startDelay.observe(Math.max(0, lag) / 1000);
    }
    try {
      const result = await this.runWithTimeout(doc, occurrence.id);
      const { output, requestId } =
        typeof result === 'string' ? { output: result, requestId: undefined } : result;
      await record('succeeded', { output: truncate(output), request_id: requestId });
    } catch (err) {
      const failure = asRunnerError(err);
      const willRetry = !failure.permanent && attempt.retriesLeft;
      await record('failed', {
        error: failure.message,
        will_retry: willRetry,
        request_id: failure.requestId,
      });
      throw failure;
    } finally {
      await lease.release().catch(() => undefined);
    }
  };

  /** The attempt a dead replica started: its outcome is unknown, and it is on the record. */
  private async recordLost(
    occurrence: Occurrence,
    lost: LostAttempt,
    runner: string,
  ): Promise<void> {
    const started = new Date(lost.startedAt);
    await this.record(
      occurrence,
      lost.number,
      Number.isNaN(started.getTime()) ? this.clock.now() : started,
      runner,
      'failed',
      {
        error:
          `replica ${lost.replica} stopped during this attempt (its run was found stalled); ` +
          'whether the action took effect is unknown, so it runs again',
        will_retry: true,
        replica: lost.replica,
      },
    );
  }

  private async findJob(keyString: string, occurrence: Occurrence): Promise<JobDocument | null> {
    const cached = this.cache.get(keyString);
    if (cached) return cached.doc;
    try {
      return (await this.repository.get(occurrenceKey(occurrence))).document;
    } catch (err) {
      if (err instanceof JobNotFoundError) return null;
      throw err; // repository unreachable: retryable
    }
  }

  private async runWithTimeout(doc: JobDocument, runId: string): Promise<string | RunResult> {
    const { runner, details } = this.runners.parse(doc.account, doc.details);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new Error(`run timed out after ${this.settings.runTimeoutMs} ms`)),
      this.settings.runTimeoutMs,
    );
    const onShutdown = () => controller.abort(this.shutdown.signal.reason);
    this.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
    try {
      return await Promise.race([
        runner.run({ account: doc.account, job: doc, signal: controller.signal, runId }, details),
        new Promise<never>((_, reject) =>
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
            once: true,
          }),
        ),
      ]);
    } finally {
      clearTimeout(timer);
      this.shutdown.signal.removeEventListener('abort', onShutdown);
    }
  }

  private announce(record: RunRecord): void {
    const event = eventOf(record);
    if (event) this.notifications.notify(event);
  }

  private async record(
    occurrence: Occurrence,
    attempt: number,
    started: Date,
    runner: string,
    status: RunStatus,
    extra: Partial<RunRecord>,
  ): Promise<void> {
    const finished = this.clock.now();
    const record: RunRecord = {
      run_id: occurrence.id,
      trigger: occurrence.trigger,
      scheduled_for: occurrence.scheduledFor,
      attempt,
      status,
      started_at: started.toISOString(),
      finished_at: finished.toISOString(),
      duration_ms: finished.getTime() - started.getTime(),
      runner,
      replica: REPLICA,
      ...extra,
    };
    this.metrics.runs.inc({ runner: runner || 'unknown', status });
    this.announce(record);
    if (status === 'succeeded' || status === 'failed') {
      this.metrics.runDuration.observe({ runner }, record.duration_ms / 1000);
    }
    const write = this.jobLog.append(occurrenceKey(occurrence), record).then(
      () => undefined,
      (err: Error) => {
        this.metrics.runLogFailures.inc();
        this.logger.error(`could not write run record of ${occurrence.id}: ${err.message}`);
      },
    );
    // The log keeps per-job order, so the next run need not wait for this write, unless the log
    // falls far behind (backpressure).
    this.pendingWrites.add(write);
    void write.finally(() => this.pendingWrites.delete(write));
    if (this.pendingWrites.size > MAX_PENDING_WRITES) await write;
  }
}

/** Every failed attempt and every skipped occurrence goes to the notification channels. */
function eventOf(record: RunRecord): MinionEvent | null {
  const job = record.run_id.slice(0, record.run_id.lastIndexOf('@'));
  if (record.status === 'failed') {
    return {
      type: 'run.failed',
      job,
      run_id: record.run_id,
      attempt: record.attempt,
      final: record.will_retry !== true,
      runner: record.runner ?? '',
      error: record.error ?? '',
    };
  }
  if (record.status === 'skipped') {
    return { type: 'occurrence.skipped', job, run_id: record.run_id, error: record.error ?? '' };
  }
  return null;
}

/** Bad details and a runner the account may not use cannot be fixed by retrying. */
function asRunnerError(err: unknown): RunnerError {
  if (err instanceof RunnerError) return err;
  if (err instanceof InvalidFieldError) return new RunnerError(err.message, true);
  if (err instanceof DomainError) return new RunnerError(err.message, false);
  return new RunnerError((err as Error)?.message ?? String(err), false);
}

function truncate(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}… (truncated)` : text;
}
