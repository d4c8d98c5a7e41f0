/** A promise that did not settle in time. */
export class TimeoutError extends Error {}

/**
 * `promise`, or a TimeoutError after `ms`. The timer is cleared either way; the promise itself
 * keeps running (callers say so when it matters: a late success is still a success).
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `promise` at most `ms`; true when it settled in time. Never throws. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  try {
    await withTimeout(promise, ms, 'wait');
    return true;
  } catch (err) {
    return !(err instanceof TimeoutError);
  }
}

/**
 * Runs `task` with an abort signal that fires after `ms`, or when `parent` aborts (shutdown),
 * and settles then even if the task ignores its signal. A task that answers its timeout within
 * `graceMs` is heard: a fleet returns which resources it acted on before the limit, instead of
 * that account being lost with the rejection. Shutdown (`parent`) gets no grace. A task that
 * fails after the abort fails with the abort's reason. Timers and listeners are cleaned up.
 */
export async function withDeadline<T>(
  task: (signal: AbortSignal) => Promise<T>,
  ms: number,
  what: string,
  parent?: AbortSignal,
  graceMs = 0,
): Promise<T> {
  // Already aborted: the task is not started at all.
  if (parent?.aborted) throw parent.reason;
  const deadline = startDeadline((signal) => task(signal()), ms, what, graceMs);
  const onParentAbort = () => deadline.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    return await deadline.result;
  } finally {
    parent?.removeEventListener('abort', onParentAbort);
  }
}

export interface Deadline<T> {
  /** The task's result, or the abort's reason (a TimeoutError at the deadline). */
  result: Promise<T>;
  /** Aborts now, with no grace (shutdown, a lost fence): `result` rejects with `reason`. */
  abort(reason: unknown): void;
}

/**
 * `withDeadline` without a parent signal: the caller aborts through the handle (the executor
 * keeps the handles of its runs, instead of one abort listener per run on its shutdown signal).
 * The task's AbortController is made when the task first asks for its signal (`signal()`) or
 * an abort comes first: a run that never looks at it (most finish long before any deadline)
 * costs none, nor its listeners. At 10,000 runs a minute that is most of an attempt's setup.
 */
export function startDeadline<T>(
  task: (signal: () => AbortSignal) => Promise<T>,
  ms: number,
  what: string,
  graceMs = 0,
): Deadline<T> {
  let controller: AbortController | undefined;
  let reason: unknown;
  let aborted = false;
  let settled = false;
  let grace: NodeJS.Timeout | undefined;
  let resolveResult!: (value: T) => void;
  let rejectResult!: (reason: unknown) => void;
  // One promise for the whole attempt (no race of several): a run is mostly this setup.
  const result = new Promise<T>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  const settle = (ok: boolean, value: unknown) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    clearTimeout(grace);
    if (ok) resolveResult(value as T);
    else rejectResult(value);
  };
  const signal = () => {
    if (!controller) {
      controller = new AbortController();
      if (aborted) controller.abort(reason);
    }
    return controller.signal;
  };
  const abort = (why: unknown) => {
    if (!aborted) {
      aborted = true;
      reason = why;
      controller?.abort(why);
    }
    settle(false, reason);
  };
  const timer = setTimeout(() => {
    if (!aborted) {
      aborted = true;
      reason = new TimeoutError(`${what} timed out after ${ms} ms`);
      controller?.abort(reason);
    }
    grace = setTimeout(() => settle(false, reason), graceMs);
  }, ms);
  try {
    task(signal).then(
      (value) => settle(true, value),
      (err) => settle(false, aborted ? reason : err),
    );
  } catch (err) {
    settle(false, err);
  }
  return { result, abort };
}
