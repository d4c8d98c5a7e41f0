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
