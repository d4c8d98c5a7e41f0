import { Logger } from '@nestjs/common';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type Redis from 'ioredis';
import { REPLICA } from '../../common/replica';
import { Slots } from '../../common/slots';
import { settledWithin } from '../../common/timeout';
import {
  EnqueueOptions,
  JobQueue,
  OccurrenceConsumer,
  QueueClosedError,
  QueueCounts,
} from '../job-queue';
import { Occurrence, withRef } from '../../domain/occurrence';
import { RedisConnections } from './redis-connections';
import { BATCHED, RedisJobLock } from './redis-job-lock';
import {
  Attempt,
  RetryPolicy,
  willRetry,
  AttemptOutcome,
  MAX_LOST_ATTEMPTS,
} from '../../domain/attempt';
import { FencedError, runFenced } from '../../domain/fence';
import { AttemptFences } from './attempt-fences';
import { fencedOutcome } from './fenced-outcome';
import { OccurrenceBatches } from './occurrence-batches';
import { occurrenceStateKey } from './batch-scripts';
import { RedisDataWatch } from './redis-data-watch';
import { AttemptMark, bullJobId, lostAttempt, MARK_FIELD, QueuedOccurrence } from './attempt-mark';

const QUEUE = 'occurrences';
/** Finished occurrence ids are kept this long, so a late duplicate enqueue is still refused. */
const KEEP_COMPLETED_S = 3600;
const KEEP_FAILED_S = 24 * 3600;
const READY_WAIT_MS = 5000;

export { bullJobId };

/**
 * The occurrence queue on Redis with BullMQ, for many replicas. The occurrence id is the BullMQ
 * job id, so when every replica enqueues the same due occurrence Redis keeps one; finished ids are
 * kept an hour. Workers on every replica, same retry policy as the in-memory queue (attempts,
 * fixed delay, permanent errors -> UnrecoverableError). A replica that dies mid-run: BullMQ finds
 * the run stalled (after `lockDuration`) and another replica runs it again.
 */
export class BullMqJobQueue extends JobQueue {
  private readonly logger = new Logger(BullMqJobQueue.name);
  private readonly queue: Queue<QueuedOccurrence>;
  private worker?: Worker<QueuedOccurrence>;
  /** Ticks of at least `batchFrom` occurrences go in batches (null: batching off). */
  private readonly batches: OccurrenceBatches | null;
  private active = 0;
  /** Attempts acting at once: `concurrency`; the worker takes up to `maxWaiting` more to wait. */
  private actionSlots = new Slots(1);
  private closing?: Promise<void>;

  private readonly lock: RedisJobLock;
  /** The fences of the attempts running here, and the jobs this replica was fenced from. */
  private readonly fences: AttemptFences;

  constructor(
    private readonly redis: RedisConnections,
    private readonly policy: RetryPolicy,
    /** An occurrence waiting this long for a previous run of its job is skipped. */
    private readonly runTimeoutMs: number,
    private readonly batchFrom = 0,
  ) {
    super();
    this.lock = new RedisJobLock(redis);
    this.fences = new AttemptFences(redis, this.logger);
    this.queue = new Queue<QueuedOccurrence>(QUEUE, {
      // Fail fast while Redis is down: the scheduler keeps the occurrences for its next tick.
      connection: redis.bullConnection('queue', { enableOfflineQueue: false }),
      prefix: redis.settings.prefix,
      // No INFO during connection setup: closing a queue while that INFO is in flight (Redis just
      // back, app stopping) makes BullMQ emit an error nobody can listen to (taskforcesh/bullmq#1218).
      skipVersionCheck: true,
      defaultJobOptions: {
        attempts: policy.attempts,
        backoff: { type: 'fixed', delay: policy.delayMs },
        removeOnComplete: { age: KEEP_COMPLETED_S },
        removeOnFail: { age: KEEP_FAILED_S },
      },
    });
    this.queue.on('error', (err) => this.logger.warn(`queue: ${err.message}`));
    this.batches =
      batchFrom > 0
        ? new OccurrenceBatches(redis, policy, this.queue, (id, why) =>
            this.fences.noteFenced(id, why),
          )
        : null;
  }

  async enqueue(occurrences: Occurrence[], options: EnqueueOptions = {}): Promise<string[]> {
    if (this.closing) throw new QueueClosedError();
    if (occurrences.length === 0) return [];
    if (this.batches && (options.tickSize ?? 0) >= this.batchFrom) {
      await this.batches.enqueue(occurrences);
      return occurrences.map((o) => o.id);
    }
    await this.queue.addBulk(
      occurrences.map((o) => ({ name: 'occurrence', data: o, opts: { jobId: bullJobId(o.id) } })),
    );
    // Redis refused duplicates silently: BullMQ does not tell them apart here.
    return occurrences.map((o) => o.id);
  }

  async start(consumer: OccurrenceConsumer, concurrency: number, maxWaiting = 0): Promise<void> {
    this.actionSlots = new Slots(concurrency);
    new RedisDataWatch(this.redis).start();
    this.batches?.start(consumer, {
      acting: this.actionSlots,
      inFlight: new Slots(concurrency + maxWaiting),
      concurrency,
    });
    const s = this.redis.settings;
    // The producer connection has no offline queue: let it connect before the first enqueue
    // (bounded, so a Redis that is down at startup does not hold the app).
    await settledWithin(this.queue.waitUntilReady(), READY_WAIT_MS);
    this.worker = new Worker<Occurrence>(
      QUEUE,
      (job, token) => this.process(job, token, consumer),
      {
        connection: this.redis.bullConnection('worker', { maxRetriesPerRequest: null }),
        prefix: s.prefix,
        skipVersionCheck: true,
        // BullMQ's concurrency cannot grow while its loop awaits a busy worker, so it is fixed at
        // both together and the action slots above bound the attempts that act.
        concurrency: concurrency + maxWaiting,
        lockDuration: s.lockDurationMs,
        stalledInterval: s.stalledIntervalMs,
        // Minion, not BullMQ, ends an occurrence whose replicas keep dying: the delivery that
        // finds its MAX_LOST_ATTEMPTS-th loss records it (will_retry false) and stops. BullMQ
        // failing the job itself would leave that attempt with no record. Two more for a replica
        // that dies while recording it (the record is written once).
        maxStalledCount: MAX_LOST_ATTEMPTS + 2,
      },
    );
    this.worker.on('error', (err) => {
      if (!this.fences.isEcho(err)) this.logger.warn(`worker: ${err.message}`);
    });
    this.worker.on('lockRenewalFailed', (ids: string[]) => this.fences.lockRenewalFailed(ids));
  }

  async stop(timeoutMs: number): Promise<{ dropped: string[]; stillRunning: number }> {
    this.closing ??= (async () => {
      await Promise.all([this.worker?.close(), this.batches?.stop()]);
      await this.queue.close();
    })();
    await settledWithin(this.closing, timeoutMs);
    // Nothing is dropped: occurrences not started stay in Redis for the other replicas.
    return { dropped: [], stillRunning: this.active + (this.batches?.active ?? 0) };
  }

  /** The producer connection itself, which reconnects on its own schedule. */
  override async ping(): Promise<void> {
    // BullMQ types its client narrowly; with our connection options it is an ioredis client.
    await ((await this.queue.client) as unknown as Redis).ping();
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
    );
    // Batches count as one entry each (of up to BATCH_SIZE occurrences).
    const b = (await this.batches?.counts()) ?? {};
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (b.waiting ?? 0),
      active: (c.active ?? 0) + (b.active ?? 0),
      delayed: (c.delayed ?? 0) + (b.delayed ?? 0),
      failed: (c.failed ?? 0) + (b.failed ?? 0),
    };
  }

  /**
   * One attempt: take the job's lock and, in the same round trip, note who runs it (so a
   * replica recovering it after a crash knows); another replica runs the job: wait in the
   * delayed set without using an attempt, or after a whole run timeout, skip. Then execute,
   * report with the retry decision, and let BullMQ retry exactly when `willRetry` said so.
   */
  private async process(
    job: Job<QueuedOccurrence>,
    token: string | undefined,
    consumer: OccurrenceConsumer,
  ): Promise<void> {
    this.active++;
    try {
      const { batchUsed, ...queued } = job.data;
      const occurrence = withRef(queued);
      // Failed attempts + attempts lost with a dead replica (+ those a batch used before handing
      // it over); waiting for a busy job is no attempt.
      const attempt: Attempt = {
        number: (batchUsed ?? 0) + job.attemptsMade + job.stalledCounter + 1,
      };
      const lost = await lostAttempt(this.redis.commands, this.queue.toKey(job.id ?? ''), job);
      // Lost with its replica MAX_LOST_ATTEMPTS times now: recorded as the end (see maxStalledCount).
      const final = job.stalledCounter >= MAX_LOST_ATTEMPTS;
      if (lost) {
        const verdict = await consumer.lost(occurrence, { ...lost, final });
        if (verdict === 'settled') {
          // The replica that ran it acted and recorded success, then lost Redis before it could
          // tell the queue: done, not acted on again.
          this.logger.log(
            `occurrence ${occurrence.id}: attempt ${lost.number} on ${lost.replica} recorded its success; not run again`,
          );
          return;
        }
        if (verdict === 'ended') {
          this.logger.warn(
            `occurrence ${occurrence.id}: attempt ${lost.number} was lost with ${lost.replica}, its ${MAX_LOST_ATTEMPTS}th loss; not run again`,
          );
          return;
        }
      }
      const mark: AttemptMark = {
        replica: REPLICA,
        startedAt: new Date().toISOString(),
        attempt: attempt.number,
        stalled: job.stalledCounter,
      };
      const lease = await this.lock.acquire(occurrence.key, {
        hash: this.queue.toKey(job.id ?? ''),
        field: MARK_FIELD,
        value: JSON.stringify(mark),
        // Batching on: an occurrence also enqueued in a batch (a replica that batched the tick
        // when this one did not) runs once, wherever it was claimed first.
        ...(this.batches && batchUsed === undefined
          ? {
              state: {
                key: occurrenceStateKey(this.redis.settings.prefix, occurrence.id),
                keepS: KEEP_COMPLETED_S,
              },
            }
          : {}),
      });
      if (lease === BATCHED) return;
      if (!lease) {
        // Wall time since BullMQ took the occurrence (job.timestamp, the producer's clock), not
        // the scheduler's clock: waiting is real time whatever clock planned the occurrence.
        const waited = Date.now() - job.timestamp;
        if (waited < this.runTimeoutMs) {
          await job.moveToDelayed(Date.now() + this.policy.delayMs, token);
          throw new DelayedError();
        }
        const outcome: AttemptOutcome = {
          status: 'skipped',
          reason: `a previous run of this job was still in progress after ${waited} ms`,
          missed: 'previous_run_running',
          startedAt: new Date(),
        };
        await consumer.report({ occurrence, attempt, outcome, willRetry: false });
        return;
      }
      let outcome: AttemptOutcome;
      const lockKey = `${this.queue.toKey(job.id ?? '')}:lock`;
      const fence = this.fences.open(job.id ?? '', lockKey, token);
      const releaseSlot = await this.actionSlots.take();
      try {
        outcome = await runFenced(fence, () =>
          consumer.execute(occurrence, { ...attempt, releaseSlot }),
        );
        // Before the outcome becomes history: a claim lost meanwhile means another replica owns
        // the occurrence and writes its record. Unconfirmed (Redis away): record what happened.
        await fence.check().catch(() => undefined);
      } finally {
        this.fences.delete(job.id ?? '');
        releaseSlot();
        await lease.release().catch(() => undefined);
      }
      if (fence.lost !== undefined) {
        await consumer.report({
          occurrence,
          attempt,
          outcome: fencedOutcome(outcome, fence.lost),
          willRetry: false,
        });
        // BullMQ refuses to finish a job whose lock this worker lost; nothing else is to be done.
        this.fences.noteFenced(job.id ?? '', fence.lost);
        throw new FencedError(fence.lost);
      }
      const retry = willRetry(this.policy, outcome, attempt);
      await consumer.report({ occurrence, attempt, outcome, willRetry: retry });
      if (outcome.status === 'interrupted') {
        // Another replica (or this one, restarted) settles it: as a retry while attempts are
        // left, else moved back without using one.
        if (attempt.number < this.policy.attempts) throw new Error(outcome.reason);
        await job.moveToDelayed(Date.now() + this.policy.delayMs, token);
        throw new DelayedError();
      }
      if (outcome.status !== 'failed') return;
      // BullMQ retries a plain error (with the policy's delay) and never an UnrecoverableError.
      throw retry ? new Error(outcome.error) : new UnrecoverableError(outcome.error);
    } finally {
      this.active--;
    }
  }
}
