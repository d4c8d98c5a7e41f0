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
 * and settles then even if the task ignores its signal. Timers and listeners are cleaned up.
 */
export async function withDeadline<T>(
  task: (signal: AbortSignal) => Promise<T>,
  ms: number,
  what: string,
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutError(`${what} timed out after ${ms} ms`)),
    ms,
  );
  const onParentAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  try {
    return await Promise.race([
      task(controller.signal),
      new Promise<never>((_, reject) => {
        if (controller.signal.aborted) reject(controller.signal.reason);
        else
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
            once: true,
          });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  }
}
