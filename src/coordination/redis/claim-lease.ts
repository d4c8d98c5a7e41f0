/** The clocks a lease is read on (injected in tests). */
export interface LeaseClocks {
  /** performance.now(): never stepped, but on Linux it does not count a machine's suspend. */
  monotonic(): number;
  /** Date.now(): counts a suspend once resynced, but NTP may step it back. */
  wall(): number;
}

export const systemClocks: LeaseClocks = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
};

export interface ClockReadings {
  monotonic: number;
  wall: number;
}

export function readClocks(clocks: LeaseClocks = systemClocks): ClockReadings {
  return { monotonic: clocks.monotonic(), wall: clocks.wall() };
}

/** The longest lease, whatever `lockDuration`: the attempts it spares a round trip start at once. */
export const MAX_LEASE_MS = 1000;

/**
 * How long a batch claim's occurrences need no fence check: the claim found the batch lock ours
 * with `ttlMs` left (PTTL, read in the same atomic step), and no other worker can hold a lock
 * before it expires. Half of that, at most a quarter of `lockDuration` and at most a second: a
 * margin for clock rates, and a short window for a lock key lost without expiring (see
 * docs/operations.md). None without a time left.
 */
export function claimLeaseMs(ttlMs: number, lockDurationMs: number): number {
  if (!(ttlMs > 0)) return 0;
  return Math.min(ttlMs / 2, lockDurationMs / 4, MAX_LEASE_MS);
}

/**
 * A claim's lease, counted from the clocks read before the claim was sent. It holds only while
 * both clocks say so: a pause the monotonic clock missed (a suspended machine) shows on the wall
 * clock, and a wall clock stepped back does not stretch it.
 */
export class ClaimLease {
  private readonly monotonicUntil: number;
  private readonly wallUntil: number;

  constructor(
    sentAt: ClockReadings,
    ms: number,
    private readonly clocks: LeaseClocks = systemClocks,
  ) {
    this.monotonicUntil = sentAt.monotonic + ms;
    this.wallUntil = sentAt.wall + ms;
  }

  holds(): boolean {
    return this.clocks.monotonic() < this.monotonicUntil && this.clocks.wall() < this.wallUntil;
  }
}
