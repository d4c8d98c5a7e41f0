import { Injectable } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { CalendarsService } from '../calendars/calendars.service';
import { Clock } from '../common/clock';
import { JobNotFoundError } from '../common/errors';
import { startDeadline } from '../common/timeout';
import { RunSettings } from './runs.config';
import { jobOf, Occurrence } from '../domain/occurrence';
import { RunMetrics } from './runs.metrics';
import { JobDocument } from '../domain/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { RunOutcome } from '../domain/outcome';
import { ParsedRun, RunResult } from '../runners/runner';
import { RunnerRegistry } from '../runners/runner-registry';
import { FleetMatches } from '../job-cache/fleet-matches.service';
import { JobCache } from '../job-cache/job-cache.service';
import { awaitFleet } from './await-fleet';
import { runSequence } from './run-sequence';
import { RunRecorder } from './run-recorder.service';
import { SequenceProgress } from '../coordination/sequence-progress';
import { SequencePlan } from '../domain/sequence';
import { RetryPolicy } from '../domain/attempt';
import { awaitTarget } from './await-target';
import { FleetTarget } from '../domain/fleet';
import { mayBeSkipped, skipMarks, skipReason } from '../domain/skip';
import { Attempt, AttemptOutcome, RUN_ANSWER_GRACE_MS } from '../domain/attempt';
import { checkFence, currentFence } from '../domain/fence';
import { fencedBy, LazyRunContext } from './attempt-parts';
import {
  ActionDone,
  failed,
  fleetOutcome,
  sequenceOutcome,
  targetOutcome,
  truncate,
} from './attempt-outcomes';

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
  /** Aborts each run in flight (its deadline's handle): what `abortAll` calls at shutdown. */
  private readonly inFlight = new Set<(reason: unknown) => void>();
  /** Ends the waits for target states: at shutdown, before anything else. */
  private readonly waits = new AbortController();
  private readonly runTimeoutMs: number;
  private readonly now = () => this.clock.now();
  private readonly stepRetry: RetryPolicy;

  constructor(
    settings: RunSettings,
    private readonly cache: JobCache,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly metrics: RunMetrics,
    private readonly clock: Clock,
    private readonly calendars: CalendarsService,
    private readonly fleetMatches: FleetMatches,
    private readonly recorder: RunRecorder,
    private readonly progress: SequenceProgress,
  ) {
    this.runTimeoutMs = settings.runTimeoutMs;
    this.stepRetry = { attempts: settings.attempts, delayMs: settings.retryDelayMs };
    // One abort listener per wait in flight: as many as the concurrency allows.
    setMaxListeners(0, this.waits.signal);
  }

  /** Aborts every run in flight (the shutdown timeout was reached). */
  abortAll(reason: string): void {
    this.interruptWaits(reason);
    this.shutdown.abort(new Error(reason));
    for (const abort of this.inFlight) abort(this.shutdown.signal.reason);
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
    // Neither paused nor under a calendar (most jobs): nothing to read, nothing to wait for.
    if (occurrence.trigger === 'schedule' && occurrence.scheduledFor && mayBeSkipped(doc)) {
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
      const lag = Math.max(0, startedAt.getTime() - Date.parse(occurrence.scheduledFor)) / 1000;
      this.metrics.observeLag(occurrence.trigger, lag);
    }
    let parsed: ParsedRun;
    let result: RunResult;
    try {
      parsed = this.runners.parse(doc.account, doc.details);
      // Fencing: no action for an occurrence another replica took over (the AWS clients check
      // again before each call that changes something: see AwsClients).
      if (currentFence()) await checkFence();
      const raw = await this.run(parsed, doc, occurrence.id);
      result = typeof raw === 'string' ? { output: raw } : raw;
    } catch (err) {
      const fenced = fencedBy(err);
      if (fenced) return { status: 'interrupted', reason: fenced.message, startedAt, runner };
      if (this.shutdown.signal.aborted) {
        // Cut off by shutdown mid-call: whether the action took effect is unknown, not failed.
        const reason = `the action was cut off by shutdown (${(err as Error)?.message ?? err}); the next attempt checks what it did`;
        return { status: 'interrupted', reason, startedAt, runner };
      }
      return failed(startedAt, runner, err);
    }
    const output = truncate(result.output);
    const { requestId, target, fleet, sequence } = result;
    if (sequence)
      return this.settleSequence(occurrence, sequence, attempt, { output, startedAt, runner });
    if (fleet) {
      const matched = fleet.members.map((m) => m.id);
      this.fleetMatches.remember(jobOf(occurrence), fleet.kind, matched, this.clock.now());
      return this.settleFleet(fleet, parsed, attempt, { output, startedAt, runner });
    }
    if (!target) return { status: 'succeeded', output, requestId, startedAt, runner };
    // The action is done: waiting needs no slot the next occurrences could use.
    if (!target.already && parsed.wait) attempt.releaseSlot?.();
    const outcome = await awaitTarget(target, parsed.wait, this.waits.signal, this.clock);
    this.count(parsed.runner.type, outcome);
    return targetOutcome(outcome, parsed.wait, { output, requestId, startedAt, runner });
  }

  /**
   * A sequence's steps, in order, each through this same run path (`runSequence`). The sequence
   * mostly waits for its steps: it gives its slot back at once. Its status (`sequenceOutcome`):
   * succeeded when every step succeeded (or was skipped), failed otherwise, naming the step;
   * interrupted at shutdown, it is retried (with Redis, by another replica, which resumes at the
   * step in progress).
   */
  private async settleSequence(
    occurrence: Occurrence,
    plan: SequencePlan,
    attempt: Attempt,
    base: ActionDone,
  ): Promise<AttemptOutcome> {
    attempt.releaseSlot?.();
    const end = await runSequence(occurrence, plan, {
      execute: (o, a) => this.execute(o, a),
      record: (report) => this.recorder.record(report),
      flush: () => this.recorder.flush(),
      progress: this.progress,
      retry: this.stepRetry,
      now: () => this.clock.now(),
      signal: this.waits.signal,
    });
    return sequenceOutcome(plan, end, base);
  }

  /**
   * A fleet's members, each to its own end (`awaitFleet`); the attempt succeeds (`fleetOutcome`)
   * when every one is where it should be (reached, already, not waited, or skipped by its tag). A
   * selector that matched nothing is a skipped occurrence, not a failure. A retry acts again only
   * on those not at their target: it resolves the selector again and finds the others there
   * already.
   */
  private async settleFleet(
    fleet: FleetTarget,
    parsed: ParsedRun,
    attempt: Attempt,
    base: ActionDone,
  ): Promise<AttemptOutcome> {
    const { startedAt, runner } = base;
    if (fleet.members.length === 0) {
      const reason = `the tag selector ${fleet.selector} matched no ${fleet.kind}`;
      return { status: 'skipped', reason, startedAt, runner };
    }
    if (fleet.poll && parsed.wait) attempt.releaseSlot?.();
    const end = await awaitFleet(fleet, parsed.wait, this.waits.signal, this.clock);
    for (const r of end.resources) {
      this.metrics.fleetResources.inc({ type: parsed.runner.type, result: r.result });
    }
    return fleetOutcome(fleet.kind, end, base);
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
  private async run(
    { runner, details }: ParsedRun,
    doc: JobDocument,
    runId: string,
  ): Promise<string | RunResult> {
    // A fenced attempt (its claim lost: see domain/fence.ts) stops like one cut off by shutdown;
    // either one known before the start: the action is not started at all.
    const fence = currentFence()?.signal;
    if (this.shutdown.signal.aborted) throw this.shutdown.signal.reason;
    if (fence?.aborted) throw fence.reason;
    const deadline = startDeadline(
      (signal) => runner.run(new LazyRunContext(doc, signal, runId, this.now), details),
      this.runTimeoutMs,
      'run',
      RUN_ANSWER_GRACE_MS,
    );
    const onFenceLost = () => deadline.abort(fence?.reason);
    fence?.addEventListener('abort', onFenceLost, { once: true });
    this.inFlight.add(deadline.abort);
    try {
      return await deadline.result;
    } finally {
      this.inFlight.delete(deadline.abort);
      fence?.removeEventListener('abort', onFenceLost);
    }
  }
}
