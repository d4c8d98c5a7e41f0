import { createHash, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { REPLICA } from '../../common/replica';
import { Slots } from '../../common/slots';
import { RetryPolicy } from '../../domain/attempt';
import { FencedError } from '../../domain/fence';
import { Occurrence, withRef } from '../../domain/occurrence';
import { OccurrenceConsumer } from '../job-queue';
import { bullJobId, QueuedOccurrence } from './attempt-mark';
import { Batch, Claimed, settleOne } from './batch-attempt';
import { BatchSettler } from './batch-settler';
import { CLAIM, KEEP_S, occurrenceStateKey, parseClaim } from './batch-scripts';
import { ClaimLease, claimLeaseMs, readClocks } from './claim-lease';
import { OccurrenceFence } from './occurrence-fence';
import { RedisConnections } from './redis-connections';

const BATCH_QUEUE = 'occurrence-batches';
/** Occurrences per queue entry: one BullMQ job's protocol (~40 commands) for this many runs. */
export const BATCH_SIZE = 200;
/** Batches a replica works on at once (each runs its occurrences through the shared slots). */
const BATCHES_AT_ONCE = 2;
/**
 * BullMQ never gives up on a batch (not for stalls, not for failures): one it failed would leave
 * its unclaimed occurrences with no record. Nothing in a batch can keep it from ending: each
 * replica that dies with it moves it on (its running occurrences are found lost and handed to
 * the one-job path, where `scheduler.attempts` bounds them), and a failure is retried until it
 * goes (`batchRetryDelayMs`).
 */
const NEVER = 1_000_000_000;
/** BullMQ backoff type of a batch's retries: `batchRetryDelayMs`. */
const BATCH_BACKOFF = 'minion-batch';
/** Retries of a failed batch one second apart, this many before they slow down. */
const QUICK_RETRIES = 5;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Delay before retry `attemptsMade` of a failed batch. A batch fails when a hand-over or a state
 * could not be written (Redis gone a moment: its failure could be written, so Redis is back) and
 * the first retries come a second apart. A failure that lasts (the run log refusing records, a
 * bug) would otherwise retry every second for ever; after QUICK_RETRIES the delay doubles up to
 * a minute.
 */
export function batchRetryDelayMs(attemptsMade: number): number {
  if (attemptsMade <= QUICK_RETRIES) return 1000;
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** (attemptsMade - QUICK_RETRIES));
}

interface BatchData {
  occurrences: Occurrence[];
}

/** Attempts acting at once (shared with the one-job path), attempts held, and the claim size. */
export interface BatchSlots {
  acting: Slots;
  inFlight: Slots;
  concurrency: number;
}

/**
 * The batched path of the Redis queue, for large ticks: one BullMQ job per BATCH_SIZE
 * occurrences instead of one per occurrence (BullMQ's add / move to active / move to finished
 * and their event-stream entries cost ~35 Redis commands per job). A worker holding a batch
 * claims its occurrences a slice at a time in one Lua call (batch-scripts.ts: per-job running
 * lock and a per-occurrence state key, only while it holds the batch's BullMQ lock), runs them
 * fenced by that lock, and settles each (fence check, state, lock release) in one more call.
 * Anything but a first attempt that can start now is handed to the one-job path (a retry, a
 * job still running elsewhere, an attempt lost with a dead replica), which owns those rules.
 * A replica dying mid-batch: BullMQ finds the batch stalled, another worker takes it and finds
 * each occurrence's state: settled ones are left, `run` ones are lost attempts (the consumer's
 * record decides), unclaimed ones it runs.
 */
export class OccurrenceBatches {
  private readonly logger = new Logger(OccurrenceBatches.name);
  private readonly queue: Queue<BatchData>;
  private worker?: Worker<BatchData>;
  private stopping = false;
  /** The fences of the attempts running here, by batch id (a failed lock renewal ends them). */
  private readonly fences = new Map<string, Set<OccurrenceFence>>();
  /** Attempts of batches running here. */
  private readonly attempts = { active: 0 };

  constructor(
    private readonly redis: RedisConnections,
    private readonly policy: RetryPolicy,
    /** The one-job queue, where a batch hands what it does not run itself. */
    private readonly single: Queue<QueuedOccurrence>,
    private readonly onFenced: (batchId: string, reason: string) => void,
  ) {
    this.queue = new Queue<BatchData>(BATCH_QUEUE, {
      connection: redis.bullConnection('batches', { enableOfflineQueue: false }),
      prefix: redis.settings.prefix,
      skipVersionCheck: true,
      defaultJobOptions: {
        // Retried (its states say what is left) when a hand-over or a state could not be written.
        attempts: NEVER,
        backoff: { type: BATCH_BACKOFF },
        // Its 200 occurrences are not kept an hour (the state keys refuse a late copy's runs).
        removeOnComplete: true,
        removeOnFail: { age: 24 * KEEP_S },
      },
    });
    this.queue.on('error', (err) => this.logger.warn(`batch queue: ${err.message}`));
  }

  /**
   * Adds the occurrences in batches whose ids are their content's hash: the same batch enqueued
   * twice is refused; batched differently by another replica, the state keys keep each
   * occurrence to the batch that claims it first.
   */
  async enqueue(occurrences: Occurrence[]): Promise<void> {
    const jobs = [];
    for (let i = 0; i < occurrences.length; i += BATCH_SIZE) {
      const batch = occurrences.slice(i, i + BATCH_SIZE);
      const hash = createHash('sha1');
      for (const o of batch) hash.update(o.id).update('\n');
      jobs.push({
        name: 'batch',
        data: { occurrences: batch },
        opts: { jobId: `batch-${hash.digest('hex')}` },
      });
    }
    await this.queue.addBulk(jobs);
  }

  start(consumer: OccurrenceConsumer, slots: BatchSlots): void {
    const s = this.redis.settings;
    this.worker = new Worker<BatchData>(
      BATCH_QUEUE,
      (job, token) => this.process(job, token ?? '', consumer, slots),
      {
        connection: this.redis.bullConnection('batch-worker', { maxRetriesPerRequest: null }),
        prefix: s.prefix,
        skipVersionCheck: true,
        concurrency: BATCHES_AT_ONCE,
        lockDuration: s.lockDurationMs,
        stalledInterval: s.stalledIntervalMs,
        maxStalledCount: NEVER,
        settings: {
          backoffStrategy: (attemptsMade, type) =>
            type === BATCH_BACKOFF ? batchRetryDelayMs(attemptsMade) : 1000,
        },
      },
    );
    this.worker.on('error', (err) => this.logger.warn(`batch worker: ${err.message}`));
    // A batch fenced from this replica is another's now: its warning is onFenced's.
    this.worker.on('failed', (job, err) => {
      if (!job || err instanceof FencedError || err instanceof DelayedError) return;
      // job.delay: the retry's delay, as BullMQ took it from the backoff strategy.
      this.logger.warn(
        `batch ${job.id} failed (try ${job.attemptsMade}), retried in ${job.delay / 1000} s: ${err.message}`,
      );
    });
    this.worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) {
        for (const fence of this.fences.get(id) ?? []) {
          fence.lose('its batch lock could not be renewed: this replica was stopped or cut off');
        }
      }
    });
  }

  /** Stops taking batches; one in progress goes back to the queue once its attempts end. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker?.close();
    await this.queue.close();
  }

  get active(): number {
    return this.attempts.active;
  }

  /**
   * An occurrence handed to the one-job path (a retry, its job busy, an attempt lost): its id
   * the occurrence's and the attempts used (added again by a batch redelivered, it is refused).
   */
  private async handOff(occurrence: Occurrence, used: number, delayMs: number): Promise<void> {
    await this.single.add(
      'occurrence',
      { ...occurrence, batchUsed: used },
      {
        jobId: `${bullJobId(occurrence.id)}%23${used}`,
        delay: delayMs,
        attempts: Math.max(1, this.policy.attempts - used),
      },
    );
  }

  counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
  }

  private lockKey(job: Job<BatchData>): string {
    return `${this.queue.toKey(job.id ?? '')}:lock`;
  }

  /**
   * A batch: claims as many of its next occurrences as there are attempt slots free here (at
   * least one, up to `concurrency`) in one call, starts them, and goes on; a slot is held from
   * the claim to the attempt's end (its wait included), so this replica holds no more attempts
   * than `concurrency + maxWaiting`, as on the one-job path.
   */
  private async process(
    job: Job<BatchData>,
    token: string,
    consumer: OccurrenceConsumer,
    slots: BatchSlots,
  ): Promise<void> {
    const all = job.data.occurrences.map(withRef);
    const lockKey = this.lockKey(job);
    const batch: Batch = {
      redis: this.redis,
      policy: this.policy,
      handOff: (o, used, delayMs) => this.handOff(o, used, delayMs),
      consumer,
      acting: slots.acting,
      id: job.id ?? '',
      lockKey,
      token,
      settler: new BatchSettler(this.redis.commands, lockKey, token),
      fences: new Set(),
      attempts: this.attempts,
    };
    this.fences.set(batch.id, batch.fences);
    const started: Promise<void>[] = [];
    let fenced: string | undefined;
    let claimFailed: Error | undefined;
    let next = 0;
    try {
      while (next < all.length && !this.stopping) {
        const held = [await slots.inFlight.take()];
        if (this.stopping) {
          held[0]();
          break;
        }
        for (let r; held.length < slots.concurrency && next + held.length < all.length;) {
          if (!(r = slots.inFlight.tryTake())) break;
          held.push(r);
        }
        const slice = all.slice(next, next + held.length);
        next += slice.length;
        const states = await this.claim(job, token, slice).catch((err: Error) => {
          held.forEach((release) => release());
          throw err;
        });
        if (typeof states === 'string') {
          held.forEach((release) => release());
          fenced = states;
          break;
        }
        slice.forEach((o, i) => started.push(settleOne(batch, o, states[i]).finally(held[i])));
      }
    } catch (err) {
      claimFailed = err as Error;
    }
    // Every attempt started ends before the batch does (a retry of the batch must not find one
    // of its own attempts still running and take it for lost).
    const ended = await Promise.allSettled(started);
    this.fences.delete(batch.id);
    const failed = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failed && !fenced) {
      // A hand-over or a state not written (Redis away): the batch is retried; its states say
      // what is left to do.
      throw new Error(`batch not settled: ${(failed.reason as Error)?.message ?? failed.reason}`);
    }
    if (claimFailed) throw claimFailed;
    if (fenced) {
      this.onFenced(job.id ?? '', fenced);
      throw new FencedError(fenced);
    }
    if (this.stopping && next < all.length) {
      // What was not claimed waits for another replica (or this one, restarted).
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
  }

  private async claim(
    job: Job<BatchData>,
    token: string,
    slice: Occurrence[],
  ): Promise<Claimed[] | string> {
    const prefix = this.redis.settings.prefix;
    const keys = [this.lockKey(job)];
    const runTokens: string[] = [];
    for (const o of slice) {
      keys.push(occurrenceStateKey(prefix, o.id), `${prefix}:running:${o.key}`);
      runTokens.push(randomUUID());
    }
    const mark = JSON.stringify({ replica: REPLICA, startedAt: new Date().toISOString() });
    const sentAt = readClocks();
    const answer = await CLAIM.run(this.redis.commands, keys, [
      token,
      job.id ?? '',
      this.redis.settings.lockDurationMs,
      KEEP_S,
      mark,
      ...runTokens,
    ]);
    if (answer === 'fenced') return 'the batch lock is held by another worker or expired';
    const [ttl, states] = answer as [number, string[]];
    const lease = new ClaimLease(sentAt, claimLeaseMs(ttl, this.redis.settings.lockDurationMs));
    return states.map((a, i) => {
      const state = parseClaim(a);
      return state.state === 'claimed'
        ? { state: 'claimed', runToken: runTokens[i], lease }
        : state;
    }) as Claimed[];
  }
}
