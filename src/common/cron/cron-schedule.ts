import { CronExpression, CronExpressionParser } from 'cron-parser';

/**
 * Thin layer over cron-parser (the parsing itself is the library's): it pins the dialect the
 * original minion accepted and caches compiled expressions, which are shared by many jobs.
 *
 * Dialect: 5 fields (minute hour day-of-month month day-of-week), `?` allowed in the day fields,
 * leading zeros, names (MON, JAN), and the descriptors below. cron-parser lacks `@midnight`, so
 * it is mapped to its documented equivalent `@daily`.
 */
const DESCRIPTORS: Record<string, string> = {
  '@yearly': '@yearly',
  '@annually': '@yearly',
  '@monthly': '@monthly',
  '@weekly': '@weekly',
  '@daily': '@daily',
  '@midnight': '@daily',
  '@hourly': '@hourly',
};

export const DEFAULT_TIMEZONE = 'UTC';

export class InvalidScheduleError extends Error {}

export function isValidTimeZone(tz: unknown): tz is string {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function normalize(expression: string): string {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    const mapped = DESCRIPTORS[trimmed];
    if (!mapped) {
      throw new InvalidScheduleError(
        `unknown descriptor "${trimmed}" (allowed: ${Object.keys(DESCRIPTORS).join(' ')})`,
      );
    }
    return mapped;
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    throw new InvalidScheduleError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }
  return fields.join(' ');
}

/** A compiled (expression, time zone) pair. Stateless from the caller's point of view. */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    readonly timezone: string,
    private readonly compiled: CronExpression,
  ) {}

  private static readonly cache = new Map<string, CronSchedule>();
  private static readonly CACHE_LIMIT = 50_000;

  /** Parses and validates; throws InvalidScheduleError with a human-readable reason. */
  static parse(expression: string, timezone: string = DEFAULT_TIMEZONE): CronSchedule {
    const key = `${timezone}\u0000${expression}`;
    const cached = CronSchedule.cache.get(key);
    if (cached) return cached;
    if (!isValidTimeZone(timezone)) {
      throw new InvalidScheduleError(`unknown time zone "${timezone}"`);
    }
    let compiled: CronExpression;
    try {
      compiled = CronExpressionParser.parse(normalize(expression), { tz: timezone });
    } catch (err) {
      if (err instanceof InvalidScheduleError) throw err;
      throw new InvalidScheduleError((err as Error).message);
    }
    const schedule = new CronSchedule(expression, timezone, compiled);
    // An expression that can never fire (30 February) is as invalid as a syntax error.
    if (schedule.nextAfter(new Date(0)) === null) {
      throw new InvalidScheduleError('the expression never matches a date');
    }
    if (CronSchedule.cache.size >= CronSchedule.CACHE_LIMIT) CronSchedule.cache.clear();
    CronSchedule.cache.set(key, schedule);
    return schedule;
  }

  /** Returns the reason the expression is invalid, or null when it is valid. */
  static problem(expression: string, timezone: string = DEFAULT_TIMEZONE): string | null {
    try {
      CronSchedule.parse(expression, timezone);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** The first fire time strictly after `after`, or null if there is none. */
  nextAfter(after: Date | number): Date | null {
    try {
      this.compiled.reset(new Date(after));
      return this.compiled.next().toDate();
    } catch {
      return null;
    }
  }

  /** The next `count` fire times strictly after `after`. */
  upcoming(after: Date | number, count: number): Date[] {
    const out: Date[] = [];
    let cursor: Date | number = after;
    while (out.length < count) {
      const next = this.nextAfter(cursor);
      if (!next) break;
      out.push(next);
      cursor = next;
    }
    return out;
  }
}
