import { Injectable } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { CalendarsService } from '../calendars/calendars.service';
import { Clock } from '../common/clock';
import { InvalidFieldError, JobNotFoundError, RunnerError } from '../common/errors';
import { withDeadline } from '../common/timeout';
import { RunSettings } from './runs.config';
import { jobOf, Occurrence } from '../domain/occurrence';
import { RunMetrics } from './runs.metrics';
import { JobDocument } from '../domain/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { RunOutcome, SUCCESSFUL_RESULTS } from '../domain/outcome';
import { ParsedRun, RunResult } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobCache } from '../job-cache/job-cache.service';
import { awaitTarget, outcomeError } from './await-target';
import { skipMarks, skipReason } from '../domain/skip';
import { Attempt, AttemptOutcome } from '../domain/attempt';

const MAX_OUTPUT = 64 * 1024;

/**
 * Runs one attempt of an occurrence and says what came of it; it decides nothing else (the
 * queue decides retries and overlap, the recorder writes the history). It finds the job (cache,
 * else repository, so a job created moments ago on another replica still runs), skips an
 * occurrence scheduled before its job was disabled, parses the details with the account's
 * runner (so the allow-list is checked again), and runs with a timeout and an abort signal.
 * When the runner names the state its action aims at, the executor then waits for it (having
 * given its queue slot back) and the outcome decides the status: `succeeded` only when the
 * resource reached the state, or was there already.
 */
@Injectable()
export class Executor {
  private readonly shutdown = new AbortController();
  /** Ends the waits for target states: at shutdown, before anything else. */
  private readonly waits = new AbortController();
  private readonly runTimeoutMs: number;

  constructor(
    settings: RunSettings,
    private readonly cache: JobCache,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly metrics: RunMetrics,
    private readonly clock: Clock,
    private readonly calendars: CalendarsService,
  ) {
    this.runTimeoutMs = settings.runTimeoutMs;
    // One abort listener per run in flight: as many as the concurrency allows.
    setMaxListeners(0, this.shutdown.signal);
    setMaxListeners(0, this.waits.signal);
  }

  /** Aborts every run in flight (the shutdown timeout was reached). */
  abortAll(reason: string): void {
    this.interruptWaits(reason);
    this.shutdown.abort(new Error(reason));
  }

  /** Ends every wait for a target state; those runs are recorded as interrupted. */
  interruptWaits(reason: string): void {
    if (!this.waits.signal.aborted) this.waits.abort(new Error(reason));
  }

  /** One attempt. Never throws: every failure is an outcome. */
  async execute(occurrence: Occurrence, attempt: Attempt): Promise<AttemptOutcome> {
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
    let skip: string | null = null;
    if (occurrence.trigger === 'schedule' && occurrence.scheduledFor) {
      try {
        const at = new Date(occurrence.scheduledFor);
        skip = skipReason(await skipMarks(doc, at, this.calendars, { firstOnly: true }));
      } catch (err) {
        return failed(
          startedAt,
          runner,
          new Error(`blackout calendars not read: ${(err as Error).message}`),
        );
      }
    }
    if (skip) return { status: 'skipped', reason: skip, deliberate: true, startedAt, runner };
    if (occurrence.scheduledFor && attempt.number === 1) {
      const lag = startedAt.getTime() - Date.parse(occurrence.scheduledFor);
      this.metrics.startDelay.observe(Math.max(0, lag) / 1000);
    }
    let parsed: ParsedRun;
    let result: RunResult;
    try {
      parsed = this.runners.parse(doc.account, doc.details);
      const raw = await this.run(parsed, doc, occurrence.id);
      result = typeof raw === 'string' ? { output: raw } : raw;
    } catch (err) {
      return failed(startedAt, runner, err);
    }
    const output = truncate(result.output);
    const { requestId, target } = result;
    if (!target) return { status: 'succeeded', output, requestId, startedAt, runner };
    // The action is done: waiting needs no slot the next occurrences could use.
    if (!target.already && parsed.wait) attempt.releaseSlot?.();
    const outcome = await awaitTarget(target, parsed.wait, this.waits.signal, this.clock);
    this.count(parsed.runner.type, outcome);
    if (SUCCESSFUL_RESULTS.includes(outcome.result)) {
      return { status: 'succeeded', output, requestId, outcome, startedAt, runner };
    }
    return {
      status: 'failed',
      error: outcomeError(outcome, parsed.wait),
      // No permission to check cannot be fixed by acting again; any other miss may be.
      permanent: outcome.result === 'refused',
      requestId,
      outcome,
      startedAt,
      runner,
    };
  }

  private count(type: string, outcome: RunOutcome): void {
    this.metrics.outcomes.inc({ type, result: outcome.result });
    if (outcome.result === 'reached')
      this.metrics.timeToState.observe({ type }, outcome.waited_ms / 1000);
  }

  /** A job the cache does not hold: created moments ago on another replica, or deleted. */
  private async readJob(occurrence: Occurrence): Promise<JobDocument | null> {
    try {
      return (await this.repository.get(jobOf(occurrence))).document;
    } catch (err) {
      if (err instanceof JobNotFoundError) return null;
      throw err; // repository unreachable: retryable
    }
  }

  /** The action: until done, the run timeout, or shutdown, whichever comes first. */
  private run(
    { runner, details }: ParsedRun,
    doc: JobDocument,
    runId: string,
  ): Promise<string | RunResult> {
    return withDeadline(
      (signal) => runner.run({ account: doc.account, job: doc, signal, runId }, details),
      this.runTimeoutMs,
      'run',
      this.shutdown.signal,
    );
  }
}

/** Bad details and a runner the account may not use cannot be fixed by retrying. */
function failed(startedAt: Date, runner: string | undefined, err: unknown): AttemptOutcome {
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
