import { Calendar } from '../domain/calendar';

/**
 * Port for the calendars set over the API. Implementations: files beside the jobs
 * (`<path>/.calendars/<org>/<account>/<name>.json`) and S3 (`<prefix><org>/.calendars/...`),
 * chosen with the jobs repository, so every replica reads the same calendars.
 */
export abstract class CalendarStore {
  abstract get(account: string, name: string): Promise<Calendar | null>;
  abstract put(account: string, name: string, calendar: Calendar): Promise<void>;
  /** The names of the account's calendars set over the API, in any order. */
  abstract list(account: string): Promise<string[]>;
}
