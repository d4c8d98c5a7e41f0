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
