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
