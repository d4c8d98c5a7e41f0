/**
 * The source of "now" for what minion decides and records: which minute is due, whether a pause
 * or a blackout is in force, run and audit timestamps, cache ages. Injected (ConfigModule) so
 * tests drive that time explicitly instead of waiting for real minutes. Elapsed real time
 * (request latency, timeouts, backoff, a Redis lock's wait) is measured with the system's clocks.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** RFC 3339, UTC, whole seconds: the format the original service used for every timestamp. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const MINUTE_MS = 60_000;

/** The start of the minute containing `date`, as epoch milliseconds. */
export function minuteFloor(date: Date | number): number {
  const ms = typeof date === 'number' ? date : date.getTime();
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * A clock for the fault suite only (MINION_TEST_CLOCK, refused when NODE_ENV is production):
 * it read `atMs` at the real instant `realMs` and runs `speed` times as fast as real time from
 * there, so replicas in separate processes given the same values agree on the time, and minutes
 * pass in seconds. Elapsed real time (locks, timeouts, backoff) stays real.
 */
export class ScaledClock extends Clock {
  constructor(
    readonly atMs: number,
    readonly realMs: number,
    readonly speed: number,
  ) {
    super();
  }

  now(): Date {
    return new Date(this.atMs + (Date.now() - this.realMs) * this.speed);
  }

  /** Real milliseconds until this clock reads `ms`. */
  realDelayUntil(ms: number): number {
    return Math.max(0, (ms - this.now().getTime()) / this.speed);
  }
}
