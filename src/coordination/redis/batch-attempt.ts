import { Slots } from '../../common/slots';
import { Attempt, AttemptOutcome, RetryPolicy, willRetry } from '../../domain/attempt';
import { runFenced } from '../../domain/fence';
import { Occurrence } from '../../domain/occurrence';
import { OccurrenceConsumer } from '../job-queue';
import { occurrenceStateKey, OccurrenceState, RENEW } from './batch-scripts';
import { BatchSettler } from './batch-settler';
import { ClaimLease } from './claim-lease';
import { fencedOutcome } from './fenced-outcome';
import { OccurrenceFence } from './occurrence-fence';
import { RedisConnections } from './redis-connections';

/** What a batch hands to the one-job-per-occurrence path: an occurrence, attempts used, delay. */
export type HandOff = (occurrence: Occurrence, used: number, delayMs: number) => Promise<void>;

/** One batch as held by this worker: its BullMQ lock and token are every attempt's fence. */
export interface Batch {
  redis: RedisConnections;
  policy: RetryPolicy;
  handOff: HandOff;
  consumer: OccurrenceConsumer;
  /** Attempts acting at once on this replica (shared with the one-job path). */
  acting: Slots;
  id: string;
  lockKey: string;
  token: string;
  /** Its settles, sent together (one call for those of one turn of the event loop). */
  settler: BatchSettler;
  /** The fences of its attempts running now (a failed renewal of the batch lock ends them). */
  fences: Set<OccurrenceFence>;
  /** Attempts of batches running on this replica (for shutdown's count). */
  attempts: { active: number };
}

/**
 * What a claimed occurrence's state says; when this worker claimed it, its run token and until
 * when its attempt needs no fence check (its claim's lease).
 */
export type Claimed = OccurrenceState & { runToken?: string; lease?: ClaimLease };

/** One occurrence after its claim: run it, or leave it, or hand it to the one-job path. */
export async function settleOne(batch: Batch, occurrence: Occurrence, state: Claimed) {
  switch (state.state) {
    case 'done':
    case 'other':
      return;
    case 'busy':
      // Its job runs elsewhere: the one-job path waits for it (or skips it after runTimeout).
      return batch.handOff(occurrence, 0, batch.policy.delayMs);
    case 'handed':
      // Handed before by a worker that died: added again, refused if it was added.
      return batch.handOff(occurrence, state.used, 0);
    case 'lost': {
      // An attempt of this batch started by the worker that held it before (found stalled).
      // The one-job path it is handed to counts its later losses (MAX_LOST_ATTEMPTS).
      const mark = parseMark(state.mark);
      const lost = { number: 1, replica: mark.replica, startedAt: mark.startedAt };
      const verdict = await batch.consumer.lost(occurrence, lost);
      const done = verdict !== 'unknown';
      const next = done ? `done|${batch.id}` : `handed|${batch.id}|1`;
      // The lost run's running lock is left to expire (its replica may only be frozen).
      const held = await write(batch, occurrence, next, '');
      if (held === 1 && !done) await batch.handOff(occurrence, 1, 0);
      return;
    }
    case 'claimed':
      return runFirst(batch, occurrence, state.runToken ?? '', state.lease);
  }
}

/** Writes the occurrence's state while the batch is still this worker's (SETTLE, shared). */
function write(batch: Batch, occurrence: Occurrence, state: string, runToken: string) {
  const prefix = batch.redis.settings.prefix;
  return batch.settler.settle(
    occurrenceStateKey(prefix, occurrence.id),
    `${prefix}:running:${occurrence.key}`,
    state,
    runToken,
  );
}

/**
 * A first attempt, fenced by the batch's lock; its job's running lock renewed while it runs;
 * then fence check, state and lock release in one call; then the report, and a retry handed to
 * the one-job path.
 */
async function runFirst(
  batch: Batch,
  occurrence: Occurrence,
  runToken: string,
  lease: ClaimLease | undefined,
): Promise<void> {
  batch.attempts.active++;
  const s = batch.redis.settings;
  const fence = new OccurrenceFence(
    batch.redis.commands,
    batch.lockKey,
    batch.token,
    Math.max(500, Math.min(2000, Math.floor(s.lockDurationMs / 4))),
    lease,
  );
  batch.fences.add(fence);
  const running = `${s.prefix}:running:${occurrence.key}`;
  const renew = () =>
    RENEW.run(batch.redis.commands, [running], [runToken, s.lockDurationMs]).catch(() => 0);
  const heartbeat = setInterval(
    () => void renew(),
    Math.max(100, Math.floor(s.lockDurationMs / 3)),
  );
  heartbeat.unref();
  const attempt: Attempt = { number: 1 };
  try {
    let outcome: AttemptOutcome;
    const releaseSlot = await batch.acting.take();
    try {
      outcome = await runFenced(fence, () =>
        batch.consumer.execute(occurrence, { ...attempt, releaseSlot }),
      );
    } finally {
      releaseSlot();
      clearInterval(heartbeat);
      batch.fences.delete(fence);
    }
    const retry = willRetry(batch.policy, outcome, attempt);
    // Interrupted: settled on the one-job path, as a retry while attempts are left, else
    // without using one (as BullMqJobQueue does).
    const interrupted = outcome.status === 'interrupted';
    const used = interrupted && attempt.number >= batch.policy.attempts ? 0 : 1;
    const handOff = retry || interrupted;
    const next = handOff ? `handed|${batch.id}|${used}` : `done|${batch.id}`;
    // The fence check before the outcome becomes history; unconfirmed (Redis away): record it.
    const held = await write(batch, occurrence, next, runToken).catch(() => 1);
    if (fence.lost === undefined && held !== 1) {
      fence.lose(`${String(held)} before this replica recorded its outcome`);
    }
    if (fence.lost !== undefined) {
      // The worker that took the batch over settles the occurrence (it finds it lost).
      const fenced = fencedOutcome(outcome, fence.lost);
      await batch.consumer.report({ occurrence, attempt, outcome: fenced, willRetry: false });
      return;
    }
    await batch.consumer.report({ occurrence, attempt, outcome, willRetry: retry });
    if (handOff) await batch.handOff(occurrence, used, batch.policy.delayMs);
  } finally {
    batch.attempts.active--;
  }
}

/**
 * The mark a claim wrote (`replica`, `startedAt`); one that does not parse is read as unknown,
 * so it cannot fail its batch on every retry (BullMQ never gives up on a batch).
 */
function parseMark(raw: string): { replica: string; startedAt: string } {
  try {
    const mark = JSON.parse(raw) as { replica?: unknown; startedAt?: unknown };
    return {
      replica: typeof mark.replica === 'string' ? mark.replica : 'unknown',
      startedAt: typeof mark.startedAt === 'string' ? mark.startedAt : '',
    };
  } catch {
    return { replica: 'unknown', startedAt: '' };
  }
}
