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
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const cleanups: (() => void)[] = [];
  const reject = (to: (reason: unknown) => void) => () => to(controller.signal.reason);
  const aborted = new Promise<never>((_, fail) => {
    timers.push(
      setTimeout(() => {
        controller.abort(new TimeoutError(`${what} timed out after ${ms} ms`));
        timers.push(setTimeout(reject(fail), graceMs));
      }, ms),
    );
    const onParentAbort = () => {
      controller.abort(parent?.reason);
      fail(controller.signal.reason);
    };
    if (parent?.aborted) onParentAbort();
    else parent?.addEventListener('abort', onParentAbort, { once: true });
    cleanups.push(() => parent?.removeEventListener('abort', onParentAbort));
  });
  const running = task(controller.signal).catch((err) => {
    throw controller.signal.aborted ? controller.signal.reason : err;
  });
  try {
    return await Promise.race([running, aborted]);
  } finally {
    timers.forEach(clearTimeout);
    cleanups.forEach((c) => c());
  }
}
