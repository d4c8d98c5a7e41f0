import { CronExpression, CronExpressionParser } from 'cron-parser';
import { MINUTE_MS } from '../clock';
import { parseDuration } from '../duration';

/**
 * The schedule dialect of the original minion (robfig/cron v1 with descriptors), on top of
 * cron-parser (the parsing and the calendar arithmetic are the library's):
 *
 * - 5 fields (minute hour day-of-month month day-of-week); `?` means `*` in any field; leading
 *   zeros and names (MON, JAN) work; a step must fit its field (`*` /99 minutes is refused).
 * - Day-of-month and day-of-week follow the Vixie/robfig rule: when either field starts with `*`
 *   or `?` (`*` /2 included) a day must match both; only when both are restricted otherwise may it
 *   match either. cron-parser treats `*` /2 as restricted, so those expressions are evaluated
 *   here as the intersection of two cron-parser sequences.
 * - Descriptors @yearly @annually @monthly @weekly @daily @midnight @hourly, and
 *   `@every <duration>` for whole minutes (`1m`, `90m`, `1h30m`): fire times are the multiples of
 *   the interval since the Unix epoch, so every replica and every restart agrees on them.
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

/** Field sizes, in order: the largest step that still means something in each. */
const FIELDS = [
  { name: 'minute', span: 60 },
  { name: 'hour', span: 24 },
  { name: 'day-of-month', span: 31 },
  { name: 'month', span: 12 },
  { name: 'day-of-week', span: 7 },
];

/** Bounds the search for a day matching both day fields (a few years of candidates). */
const MAX_INTERSECTION_STEPS = 5000;

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

/** Where fire times come from: each answers the first one strictly after an instant. */
interface FireTimes {
  next(after: number): number | null;
}

class Cron implements FireTimes {
  constructor(private readonly compiled: CronExpression) {}

  next(after: number): number | null {
    try {
      this.compiled.reset(new Date(after));
      return this.compiled.next().getTime();
    } catch {
      return null;
    }
  }
}

/** Days matching both day fields: leapfrogs between the two sequences until they meet. */
class BothDays implements FireTimes {
  constructor(
    private readonly byDayOfMonth: Cron,
    private readonly byDayOfWeek: Cron,
  ) {}

  next(after: number): number | null {
    let candidate = this.byDayOfMonth.next(after);
    for (let step = 0; candidate !== null && step < MAX_INTERSECTION_STEPS; step++) {
      const other = this.byDayOfWeek.next(candidate - 1);
      if (other === null) return null;
      if (other === candidate) return candidate;
      candidate = this.byDayOfMonth.next(other - 1);
    }
    return null;
  }
}

class Every implements FireTimes {
  constructor(private readonly periodMs: number) {}

  next(after: number): number | null {
    const next = (Math.floor(after / this.periodMs) + 1) * this.periodMs;
    return Number.isSafeInteger(next) && next <= 8.64e15 ? next : null;
  }
}

/** A compiled (expression, time zone) pair. Stateless from the caller's point of view. */
export class CronSchedule {
  private constructor(
    readonly expression: string,
    readonly timezone: string,
    private readonly times: FireTimes,
    /** `@every`: a fixed grid of instants, which daylight saving cannot move. */
    readonly isInterval: boolean,
  ) {}

  /**
   * Parsed schedules by time zone, then expression: a cache load of 100k jobs parses each
   * distinct pair once, and a hit makes no key string (one concatenated per job showed in the
   * load's profile; bench:startup).
   */
  private static readonly cache = new Map<string, Map<string, CronSchedule>>();
  private static cached = 0;
  private static readonly CACHE_LIMIT = 50_000;

  /** Parses and validates; throws InvalidScheduleError with a human-readable reason. */
  static parse(expression: string, timezone: string = DEFAULT_TIMEZONE): CronSchedule {
    const cached = CronSchedule.cache.get(timezone)?.get(expression);
    if (cached) return cached;
    if (!isValidTimeZone(timezone)) {
      throw new InvalidScheduleError(`unknown time zone "${timezone}"`);
    }
    const interval = everyPeriod(expression);
    const times = interval !== null ? new Every(interval) : compile(expression, timezone);
    const schedule = new CronSchedule(expression, timezone, times, interval !== null);
    // An expression that can never fire (30 February) is as invalid as a syntax error.
    if (schedule.nextAfter(0) === null) {
      throw new InvalidScheduleError('the expression never matches a date');
    }
    if (CronSchedule.cached >= CronSchedule.CACHE_LIMIT) {
      CronSchedule.cache.clear();
      CronSchedule.cached = 0;
    }
    let byExpression = CronSchedule.cache.get(timezone);
    if (!byExpression) {
      byExpression = new Map();
      CronSchedule.cache.set(timezone, byExpression);
    }
    byExpression.set(expression, schedule);
    CronSchedule.cached++;
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
    const next = this.times.next(typeof after === 'number' ? after : after.getTime());
    return next === null ? null : new Date(next);
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

/** `@every <duration>` as milliseconds, or null when the expression is not an `@every`. */
function everyPeriod(expression: string): number | null {
  const match = /^@every\s+(\S+)$/.exec(expression.trim());
  if (!match) return null;
  const ms = parseDuration(match[1]);
  if (ms === null || ms <= 0 || ms % MINUTE_MS !== 0) {
    throw new InvalidScheduleError(
      `@every needs a whole number of minutes, such as "@every 5m" or "@every 1h30m" (got "${match[1]}")`,
    );
  }
  return ms;
}

function compile(expression: string, timezone: string): FireTimes {
  const fields = normalize(expression);
  const parse = (text: string) => {
    try {
      return CronExpressionParser.parse(text, { tz: timezone });
    } catch (err) {
      throw new InvalidScheduleError((err as Error).message);
    }
  };
  const whole = parse(fields.join(' '));
  if (fields.length !== 5) return new Cron(whole);
  const [dom, dow] = [fields[2], fields[4]];
  const restricted = !whole.fields.dayOfMonth.isWildcard && !whole.fields.dayOfWeek.isWildcard;
  if (!restricted || !(dom.startsWith('*') || dow.startsWith('*'))) return new Cron(whole);
  // Vixie rule: a star-prefixed day field makes both day fields required.
  const withDays = (d: string, w: string) => [fields[0], fields[1], d, fields[3], w].join(' ');
  return new BothDays(new Cron(parse(withDays(dom, '*'))), new Cron(parse(withDays('*', dow))));
}

/** The five fields (with `?` as `*`), or a one-element list holding a mapped descriptor. */
function normalize(expression: string): string[] {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    const mapped = DESCRIPTORS[trimmed];
    if (!mapped) {
      throw new InvalidScheduleError(
        `unknown descriptor "${trimmed}" (allowed: ${Object.keys(DESCRIPTORS).join(' ')} @every <duration>)`,
      );
    }
    return [mapped];
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    throw new InvalidScheduleError(
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }
  return fields.map((field, i) => {
    const text = field.replace(/\?/g, '*');
    for (const part of text.split(',')) {
      const step = part.split('/')[1];
      if (step === undefined) continue;
      if (!/^\d{1,3}$/.test(step) || Number(step) < 1 || Number(step) > FIELDS[i].span) {
        throw new InvalidScheduleError(
          `${FIELDS[i].name} step "/${step.slice(0, 24)}" must be from 1 to ${FIELDS[i].span}`,
        );
      }
    }
    return text;
  });
}
