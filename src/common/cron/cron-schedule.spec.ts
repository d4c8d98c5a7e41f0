import { CronSchedule, InvalidScheduleError, isValidTimeZone } from './cron-schedule';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString();

describe('CronSchedule', () => {
  it.each([
    ['* * * ? *', '2026-03-08T06:00:30Z', '2026-03-08T06:01:00.000Z'],
    ['00 18 * * *', '2026-03-08T06:00:00Z', '2026-03-08T18:00:00.000Z'],
    ['0 0 ? * MON', '2026-03-08T06:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['@yearly', '2026-03-08T06:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['@annually', '2026-03-08T06:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['@monthly', '2026-03-08T06:00:00Z', '2026-04-01T00:00:00.000Z'],
    ['@weekly', '2026-03-08T06:00:00Z', '2026-03-15T00:00:00.000Z'],
    ['@daily', '2026-03-08T06:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['@midnight', '2026-03-08T06:00:00Z', '2026-03-09T00:00:00.000Z'],
    ['@hourly', '2026-03-08T06:00:00Z', '2026-03-08T07:00:00.000Z'],
    ['*/15 * * * *', '2026-03-08T06:00:00Z', '2026-03-08T06:15:00.000Z'],
  ])('%s after %s is %s (UTC)', (expr, from, expected) => {
    expect(iso(CronSchedule.parse(expr).nextAfter(at(from)))).toBe(expected);
  });

  // Hand-computed from a calendar: 2026-01-01 is a Thursday; 2026-02-01 and 2026-03-01 Sundays.
  it.each([
    // Day-of-month starts with "*": the day must match both fields (robfig v1 / Vixie cron).
    ['0 0 */2 * 1', ['2026-01-05', '2026-01-19', '2026-02-09', '2026-02-23']],
    ['0 0 1 * */2', ['2026-02-01', '2026-03-01', '2026-08-01']],
    ['0 12 */10 * */3', ['2026-01-11T12', '2026-01-21T12', '2026-01-31T12']],
    ['0 0 ? * MON', ['2026-01-05', '2026-01-12']],
    // Both restricted without a star: either matches.
    [
      '0 0 1 * 1',
      ['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-01', '2026-02-02'],
    ],
    ['0 0 1,15 * 5', ['2026-01-02', '2026-01-09', '2026-01-15', '2026-01-16']],
    // One field a plain wildcard: only the other counts.
    ['0 0 */15 * *', ['2026-01-16', '2026-01-31', '2026-02-01']],
    ['0 0 * * 1', ['2026-01-05', '2026-01-12']],
    ['? ? ? ? ?', ['2026-01-01T00:01', '2026-01-01T00:02']],
  ])('%s fires on %j (Vixie day rule)', (expr, expected) => {
    const times = CronSchedule.parse(expr)
      .upcoming(at('2026-01-01T00:00:00Z'), expected.length)
      .map((d) => d.toISOString());
    expect(times).toEqual(
      expected.map((e) =>
        new Date(e.length === 10 ? `${e}T00:00:00Z` : `${e.padEnd(16, ':00')}:00Z`).toISOString(),
      ),
    );
  });

  it.each([
    ['@every 1m', '2026-01-01T10:00:30Z', ['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z']],
    ['@every 5m', '2026-01-01T10:02:00Z', ['2026-01-01T10:05:00.000Z', '2026-01-01T10:10:00.000Z']],
    [
      '@every 60s',
      '2026-01-01T10:00:00Z',
      ['2026-01-01T10:01:00.000Z', '2026-01-01T10:02:00.000Z'],
    ],
    // 2026-01-01T00:00Z is a multiple of 90 minutes since the epoch.
    [
      '@every 1h30m',
      '2026-01-01T00:00:00Z',
      ['2026-01-01T01:30:00.000Z', '2026-01-01T03:00:00.000Z'],
    ],
    // 29,453,760 minutes, also a multiple of 7.
    ['@every 7m', '2026-01-01T00:00:00Z', ['2026-01-01T00:07:00.000Z', '2026-01-01T00:14:00.000Z']],
  ])('%s fires on minutes aligned to the Unix epoch', (expr, from, expected) => {
    expect(CronSchedule.parse(expr, 'America/New_York').upcoming(at(from), 2).map(iso)).toEqual(
      expected,
    );
  });

  it('agrees on @every times whatever instant it starts from (replicas, restarts)', () => {
    const s = CronSchedule.parse('@every 45m');
    const a = s.upcoming(at('2026-01-01T00:00:00Z'), 50).map(iso);
    const b = s.upcoming(at('2026-01-01T07:13:10Z'), 10).map(iso);
    expect(a).toEqual(expect.arrayContaining(b));
    for (const t of a) expect((Date.parse(t as string) / 60_000) % 45).toBe(0);
  });

  it.each([
    ['@every 90s', /whole number of minutes/],
    ['@every 0m', /whole number of minutes/],
    ['@every 1d', /whole number of minutes/],
    ['@every', /unknown descriptor/],
    ['*/99999999999999999999 * * * *', /minute step/],
    ['*/0 * * * *', /minute step/],
    ['*/61 * * * *', /minute step/],
    ['0 */25 * * *', /hour step/],
    ['0 0 */32 * *', /day-of-month step/],
    ['0 0 * */13 *', /month step/],
    ['0 0 * * */8', /day-of-week step/],
    ['0 0 * * 1/x', /day-of-week step/],
  ])('refuses %j', (expr, reason) => {
    expect(CronSchedule.problem(expr)).toMatch(reason);
  });

  it('accepts steps that span their whole field', () => {
    expect(CronSchedule.problem('*/60 */24 */31 */12 */7')).toBeNull();
  });

  it('is strictly after the given instant', () => {
    const s = CronSchedule.parse('*/5 * * * *');
    expect(iso(s.nextAfter(at('2026-01-01T00:05:00Z')))).toBe('2026-01-01T00:10:00.000Z');
    expect(iso(s.nextAfter(at('2026-01-01T00:04:59.999Z')))).toBe('2026-01-01T00:05:00.000Z');
  });

  it.each([
    ['* * *', /expected 5 fields/],
    ['* * * * * *', /expected 5 fields/],
    ['61 * * * *', /.+/],
    ['0 0 30 2 *', /.+/],
    ['@often', /unknown descriptor/],
    ['@DAILY', /unknown descriptor/],
    ['', /expected 5 fields/],
  ])('rejects %j', (expr, reason) => {
    expect(() => CronSchedule.parse(expr)).toThrow(InvalidScheduleError);
    expect(CronSchedule.problem(expr)).toMatch(reason);
  });

  it('evaluates in the given time zone', () => {
    const s = CronSchedule.parse('0 9 * * *', 'Europe/Berlin');
    expect(iso(s.nextAfter(at('2026-01-10T00:00:00Z')))).toBe('2026-01-10T08:00:00.000Z');
    expect(iso(s.nextAfter(at('2026-07-10T00:00:00Z')))).toBe('2026-07-10T07:00:00.000Z');
  });

  it('rejects an unknown time zone', () => {
    expect(CronSchedule.problem('* * * * *', 'Mars/Olympus')).toMatch(/unknown time zone/);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });

  it('lists upcoming fire times', () => {
    const times = CronSchedule.parse('0 */6 * * *')
      .upcoming(at('2026-01-01T00:00:00Z'), 3)
      .map(iso);
    expect(times).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-01T12:00:00.000Z',
      '2026-01-01T18:00:00.000Z',
    ]);
  });
});
