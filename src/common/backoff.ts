/**
 * Pauses between retries: `baseMs`, doubling each time, never above `maxMs`. Endless; the caller
 * decides when to stop (`take` a number of them, or loop until success).
 */
export function* backoffDelays(options: { baseMs: number; maxMs: number }): Generator<number> {
  for (let delay = options.baseMs; ; delay = Math.min(delay * 2, options.maxMs)) {
    yield Math.min(delay, options.maxMs);
  }
}

/** The first `count` delays of `backoffDelays`. */
export function retryDelays(count: number, options: { baseMs: number; maxMs: number }): number[] {
  const out: number[] = [];
  for (const delay of backoffDelays(options)) {
    if (out.length >= count) break;
    out.push(delay);
  }
  return out;
}

/** Resolves after `ms`. `unref`: the pause alone does not keep the process alive. */
export function sleep(ms: number, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (options.unref) timer.unref();
  });
}

export interface RetryOptions {
  /** One pause per retry; when they run out, the last error is thrown. */
  delays: Iterable<number>;
  /** False: throw this error now. Default: every error is retried. */
  retryable?: (err: unknown) => boolean;
  /** Called before each pause (log, count). */
  onRetry?: (err: unknown, delayMs: number) => void;
  unref?: boolean;
}

/**
 * Runs `task` until it resolves, pausing `delays` between tries: the one retry loop of the code
 * base (boot steps, CloudWatch puts, notification deliveries).
 */
export async function retrying<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const delays = options.delays[Symbol.iterator]();
  for (;;) {
    try {
      return await task();
    } catch (err) {
      const next = delays.next();
      if (next.done || (options.retryable && !options.retryable(err))) throw err;
      options.onRetry?.(err, next.value);
      await sleep(next.value, { unref: options.unref });
    }
  }
}
