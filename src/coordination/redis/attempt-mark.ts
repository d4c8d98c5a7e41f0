import { LostAttempt } from '../../domain/attempt';
import { Occurrence } from '../../domain/occurrence';
import type { RedisClient } from './redis-connections';

/** Written to the BullMQ job when an attempt starts, so a replica recovering it knows who died. */
export interface AttemptMark {
  replica: string;
  startedAt: string;
  attempt: number;
  stalled: number;
}

/** Field of the BullMQ job's hash holding the AttemptMark of the attempt that took the lock. */
export const MARK_FIELD = 'minion:attempt';

/**
 * A one-job occurrence handed over by a batch (occurrence-batches.ts) carries the attempts it
 * used there; the attempt numbers go on from it.
 */
export type QueuedOccurrence = Occurrence & { batchUsed?: number };

/** BullMQ job ids may not contain ":"; occurrence ids have it only in their time. */
export function bullJobId(occurrenceId: string): string {
  return occurrenceId.replace(/:/g, '%3A');
}

/**
 * The previous attempt, when the replica that started it died (BullMQ found the run stalled):
 * read from the mark its lock wrote into the job's hash `jobKey`, only in that case.
 */
export async function lostAttempt(
  redis: RedisClient,
  jobKey: string,
  job: { stalledCounter: number },
): Promise<LostAttempt | undefined> {
  if (job.stalledCounter === 0) return undefined;
  const raw = await redis.hget(jobKey, MARK_FIELD);
  const previous = raw ? (JSON.parse(raw) as AttemptMark) : undefined;
  if (!previous || job.stalledCounter <= (previous.stalled ?? 0)) return undefined;
  return { number: previous.attempt, replica: previous.replica, startedAt: previous.startedAt };
}
