import { Injectable, Logger } from '@nestjs/common';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { Clock } from '../common/clock';
import { CalendarNotFoundError, ConflictError, InvalidFieldError } from '../common/errors';
import { BlackoutCalendars } from '../domain/skip';
import { CalendarSettings } from './calendars.config';
import { blackedOut, Calendar } from '../domain/calendar';
import { CalendarStore } from './calendar-store';

/** How long a calendar read for the runs is reused (a PUT elsewhere shows within this). */
const CACHE_MS = 30_000;

export interface FoundCalendar extends Calendar {
  name: string;
  source: 'config' | 'api';
}

/**
 * Blackout calendars: those of the configuration (read-only) and those set over the API (the
 * store). Runs read them through a short cache, falling back to the last good read when the
 * store does not answer.
 */
@Injectable()
export class CalendarsService implements BlackoutCalendars {
  private readonly logger = new Logger(CalendarsService.name);
  private readonly cache = new Map<string, { at: number; calendar: Calendar | null }>();

  constructor(
    private readonly settings: CalendarSettings,
    private readonly store: CalendarStore,
    private readonly auditor: Auditor,
    private readonly clock: Clock,
  ) {}

  async get(account: string, name: string): Promise<FoundCalendar> {
    const found = await this.find(account, name);
    if (!found) throw new CalendarNotFoundError(account, name);
    return found;
  }

  /** Every calendar of the account, of the configuration and set over the API, by name. */
  async list(account: string): Promise<FoundCalendar[]> {
    const names = new Set([
      ...Object.keys(this.settings.configured[account] ?? {}),
      ...(await this.store.list(account)),
    ]);
    const found = await Promise.all([...names].sort().map((name) => this.find(account, name)));
    return found.filter((c): c is FoundCalendar => c !== null);
  }

  /** Creates or replaces a calendar of the API, and audits it. */
  async put(account: string, name: string, calendar: Calendar, actor: Actor): Promise<void> {
    if (this.fromConfig(account, name)) {
      throw new ConflictError(
        `calendar ${account}/${name} is defined in the configuration (calendars.${account}.${name}); change it there`,
      );
    }
    const before = await this.store.get(account, name);
    const stored: Calendar = {
      timezone: calendar.timezone,
      dates: [...calendar.dates],
      ...(calendar.description ? { description: calendar.description } : {}),
    };
    await this.store.put(account, name, stored);
    this.cache.set(`${account}/${name}`, { at: this.clock.now().getTime(), calendar: stored });
    await this.auditor.calendar(actor, account, name, before, stored);
  }

  /** Refuses calendar names a job lists that the account does not have (a 400 naming the entry). */
  async assertExist(account: string, names: readonly string[]): Promise<void> {
    for (const [i, name] of names.entries()) {
      if (!(await this.find(account, name))) {
        throw new InvalidFieldError(
          `job.blackout_calendars[${i}]`,
          `no calendar "${name}" in account ${account} (PUT /v1/minion/${account}/calendars/${name} first)`,
        );
      }
    }
  }

  /** The first of the named calendars that blacks out `at`, or null. */
  async blackoutAt(account: string, names: readonly string[], at: Date): Promise<string | null> {
    for (const name of names) {
      const calendar = await this.cached(account, name);
      if (calendar && blackedOut(calendar, at)) return name;
    }
    return null;
  }

  private fromConfig(account: string, name: string): Calendar | undefined {
    return this.settings.configured[account]?.[name];
  }

  private async find(account: string, name: string): Promise<FoundCalendar | null> {
    const configured = this.fromConfig(account, name);
    if (configured) return { name, source: 'config', ...configured };
    const stored = await this.store.get(account, name);
    return stored ? { name, source: 'api', ...stored } : null;
  }

  private async cached(account: string, name: string): Promise<Calendar | null> {
    const configured = this.fromConfig(account, name);
    if (configured) return configured;
    const key = `${account}/${name}`;
    const hit = this.cache.get(key);
    const now = this.clock.now().getTime();
    if (hit && now - hit.at < CACHE_MS) return hit.calendar;
    try {
      const calendar = await this.store.get(account, name);
      this.cache.set(key, { at: now, calendar });
      return calendar;
    } catch (err) {
      if (!hit) throw err; // nothing to fall back on: the attempt fails and is retried
      this.logger.warn(`calendar ${key} not read (${(err as Error).message}); using the last read`);
      return hit.calendar;
    }
  }
}
