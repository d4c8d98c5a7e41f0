import { Injectable } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { Clock } from '../common/clock';
import { InvalidFieldError, JobNotFoundError, RunnerError } from '../common/errors';
import { withDeadline } from '../common/timeout';
import { MinionSettings } from '../config/settings';
import { Attempt, Outcome } from '../coordination/job-queue';
import { Occurrence, occurrenceKey } from '../coordination/occurrence';
import { MinionMetrics } from '../metrics/minion-metrics';
import { JobDocument } from '../repository/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { RunResult } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from '../scheduler/job-cache.service';

const MAX_OUTPUT = 64 * 1024;

/**
 * Runs one attempt of an occurrence and says what came of it; it decides nothing else (the
 * queue decides retries and overlap, the recorder writes the history). It finds the job (cache,
 * else repository, so a job created moments ago on another replica still runs), skips an
 * occurrence scheduled before its job was disabled, parses the details with the account's
 * runner (so the allow-list is checked again), and runs with a timeout and an abort signal.
 */
@Injectable()
export class Executor {
  private readonly shutdown = new AbortController();
  private readonly runTimeoutMs: number;

  constructor(
    settings: MinionSettings,
    private readonly cache: JobCache,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly metrics: MinionMetrics,
    private readonly clock: Clock,
  ) {
    this.runTimeoutMs = settings.scheduler.runTimeoutMs;
    // One abort listener per run in flight: as many as the concurrency allows.
    setMaxListeners(0, this.shutdown.signal);
  }

  /** Aborts every run in flight (the shutdown timeout was reached). */
  abortAll(reason: string): void {
    this.shutdown.abort(new Error(reason));
  }

  /** One attempt. Never throws: every failure is an outcome. */
  async execute(occurrence: Occurrence, attempt: Attempt): Promise<Outcome> {
    const startedAt = this.clock.now();
    // The cache answers synchronously; only a job it does not hold costs a repository read.
    let doc: JobDocument | null | undefined = this.cache.get(occurrence.key)?.doc;
    if (!doc) {
      try {
        doc = await this.readJob(occurrence);
      } catch (err) {
        return failed(startedAt, undefined, err);
      }
    }
    if (!doc) return { status: 'dropped', reason: 'the job no longer exists', startedAt };
    const runner = doc.details.runner ?? '';
    if (occurrence.trigger === 'schedule' && !doc.enabled) {
      return {
        status: 'skipped',
        reason: 'the job was disabled after this occurrence was scheduled',
        startedAt,
        runner,
      };
    }
    if (occurrence.scheduledFor && attempt.number === 1) {
      const lag = startedAt.getTime() - Date.parse(occurrence.scheduledFor);
      this.metrics.startDelay.observe(Math.max(0, lag) / 1000);
    }
    try {
      const result = await this.run(doc, occurrence.id);
      const { output, requestId } =
        typeof result === 'string' ? { output: result, requestId: undefined } : result;
      return { status: 'succeeded', output: truncate(output), requestId, startedAt, runner };
    } catch (err) {
      return failed(startedAt, runner, err);
    }
  }

  /** A job the cache does not hold: created moments ago on another replica, or deleted. */
  private async readJob(occurrence: Occurrence): Promise<JobDocument | null> {
    try {
      return (await this.repository.get(occurrenceKey(occurrence))).document;
    } catch (err) {
      if (err instanceof JobNotFoundError) return null;
      throw err; // repository unreachable: retryable
    }
  }

  /** Runs until done, the run timeout, or shutdown, whichever comes first. */
  private run(doc: JobDocument, runId: string): Promise<string | RunResult> {
    const { runner, details } = this.runners.parse(doc.account, doc.details);
    return withDeadline(
      (signal) => runner.run({ account: doc.account, job: doc, signal, runId }, details),
      this.runTimeoutMs,
      'run',
      this.shutdown.signal,
    );
  }
}

/** Bad details and a runner the account may not use cannot be fixed by retrying. */
function failed(startedAt: Date, runner: string | undefined, err: unknown): Outcome {
  const permanent = err instanceof RunnerError ? err.permanent : err instanceof InvalidFieldError;
  return {
    status: 'failed',
    error: (err as Error)?.message ?? String(err),
    permanent,
    requestId: err instanceof RunnerError ? err.requestId : undefined,
    startedAt,
    runner,
  };
}

function truncate(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}… (truncated)` : text;
}
