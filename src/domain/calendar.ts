/** A blackout calendar: days (and ranges of days) in a time zone. Validated by `CalendarDto`. */
export interface Calendar {
  timezone: string;
  dates: string[];
  description?: string;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of an instant in a time zone, `YYYY-MM-DD`. */
export function localDay(at: Date, timezone: string): string {
  let f = dayFormats.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timezone, f);
  }
  return f.format(at);
}

/** Whether `at` falls on one of the calendar's days, counted in its time zone. */
export function blackedOut(calendar: Calendar, at: Date): boolean {
  const day = localDay(at, calendar.timezone);
  return calendar.dates.some((entry) => {
    const [from, to = from] = entry.split('..');
    return from <= day && day <= to;
  });
}
