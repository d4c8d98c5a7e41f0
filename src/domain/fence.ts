import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fencing: an attempt acts only while its replica still holds the occurrence's claim. A replica
 * frozen (SIGSTOP, a long GC pause, a VM migrated) or cut off from Redis for longer than its
 * lock lasts wakes up believing it still runs the occurrence, while another replica found the
 * run stalled and took it over. Right before each action, and before the outcome is recorded,
 * the attempt asks its fence; a fence that no longer holds stops it there.
 */
export interface Fence {
  /** Resolves while the claim holds; throws FencedError once it does not (or cannot be confirmed). */
  check(): Promise<void>;
  /** Aborted as soon as the claim is known lost (a failed lock renewal), before any check. */
  readonly signal: AbortSignal;
  /** Why the claim was lost, once it was; undefined while it holds. */
  readonly lost: string | undefined;
}

export const FENCED_PREFIX = 'fenced: another replica took this occurrence over';

/**
 * Said by the record of a fenced attempt that had acted and succeeded before it learnt its claim
 * was lost: the replica taking the occurrence over reads it and does not act again.
 */
export const SUCCEEDED_BEFORE_FENCED = 'this attempt had succeeded before it learnt it';

/**
 * The attempt's claim no longer holds. `confirmedLost`: Redis said another replica (or nobody)
 * holds it now; false when the claim could not be checked at all (Redis unreachable), in which
 * case the attempt did not act and the queue settles it like an interrupted one.
 */
export class FencedError extends Error {
  constructor(
    readonly detail: string,
    readonly confirmedLost = true,
  ) {
    super(
      confirmedLost
        ? `${FENCED_PREFIX} (${detail})`
        : `not acting: this replica could not confirm it still holds the occurrence (${detail})`,
    );
    this.name = 'FencedError';
  }
}

/**
 * The fence of the attempt running in this async context. Kept in AsyncLocalStorage rather than
 * passed along so every action deep in a runner (each AWS SDK call that changes something, each
 * step of a sequence) checks the one fence of the occurrence that caused it, without every
 * runner and helper having to carry it.
 */
const current = new AsyncLocalStorage<Fence>();

/** Runs `task` (an attempt) under `fence`: every `checkFence` inside it asks that fence. */
export function runFenced<T>(fence: Fence, task: () => Promise<T>): Promise<T> {
  return current.run(fence, task);
}

/** The fence of the attempt in this context, if it runs under one (the Redis queue's). */
export function currentFence(): Fence | undefined {
  return current.getStore();
}

/** Right before an action: throws FencedError when this attempt's claim no longer holds. */
export async function checkFence(): Promise<void> {
  await current.getStore()?.check();
}
