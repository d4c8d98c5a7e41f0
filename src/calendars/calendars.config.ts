import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { isSafeSegment } from '../common/safe-segment';
import { Calendar } from '../domain/calendar';
import { CalendarDto } from './calendar.dto';
import { S3Settings } from '../repository/repository.config';

/** `calendars`: `{ "<account>": { "<name>": { timezone, dates, description } } }`, read-only over the API. */
export type CalendarsConfig = Record<string, Record<string, unknown>>;

/** Calendars of the configuration, by account and name. */
export type ConfiguredCalendars = Readonly<Record<string, Readonly<Record<string, Calendar>>>>;

/** Where calendars set over the API are kept: beside the jobs (files, or the jobs' S3 bucket). */
export type CalendarStoreSettings =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 's3'; readonly s3: S3Settings };

/** `calendars`, resolved with where the jobs are stored: the calendars' settings slice (DI token). */
export abstract class CalendarSettings {
  abstract readonly org: string;
  abstract readonly configured: ConfiguredCalendars;
  abstract readonly store: CalendarStoreSettings;
}

/** Problems of the configured calendars, each naming `calendars.<account>.<name>...`. */
export function calendarProblems(raw: unknown, accounts: string[]): string[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) return ['calendars must be an object of accounts'];
  const problems: string[] = [];
  for (const [account, named] of Object.entries(raw)) {
    const where = `calendars.${account}`;
    if (!accounts.includes(account)) {
      problems.push(`${where}: "${account}" is not in accounts`);
      continue;
    }
    if (!isObject(named)) {
      problems.push(`${where} must be an object of calendars by name`);
      continue;
    }
    for (const [name, value] of Object.entries(named)) {
      if (!isSafeSegment(name)) problems.push(`${where}.${name}: not a usable calendar name`);
      const errors = validateSync(plainToInstance(CalendarDto, isObject(value) ? value : {}));
      if (!isObject(value)) problems.push(`${where}.${name} must be an object`);
      else problems.push(...errors.flatMap((e) => messages(`${where}.${name}`, e)));
    }
  }
  return problems;
}

export function calendarSettings(
  raw: unknown,
  org: string,
  store: CalendarStoreSettings,
): CalendarSettings {
  const out: Record<string, Record<string, Calendar>> = {};
  for (const [account, named] of Object.entries((raw ?? {}) as CalendarsConfig)) {
    out[account] = {};
    for (const [name, value] of Object.entries(named)) {
      const c = value as Calendar;
      out[account][name] = {
        timezone: c.timezone,
        dates: [...c.dates],
        ...(c.description ? { description: c.description } : {}),
      };
    }
  }
  return { org, configured: out, store };
}

function messages(where: string, e: ValidationError): string[] {
  return Object.values(e.constraints ?? {}).map((m) => `${where}.${m}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
