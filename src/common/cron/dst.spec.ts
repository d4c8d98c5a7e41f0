import { CronSchedule } from './cron-schedule';
import { describeFireTime, offsetMinutes } from './dst';

const NY = 'America/New_York';

function upcoming(expr: string, tz: string, from: string, n: number) {
  const s = CronSchedule.parse(expr, tz);
  return s.upcoming(new Date(from), n).map((t) => describeFireTime(t, s));
}

describe('describeFireTime (DST flags)', () => {
  it('reads offsets from the zone database', () => {
    expect(offsetMinutes(NY, Date.parse('2026-01-15T12:00:00Z'))).toBe(-300);
    expect(offsetMinutes(NY, Date.parse('2026-07-15T12:00:00Z'))).toBe(-240);
    expect(offsetMinutes('Asia/Kolkata', Date.parse('2026-07-15T12:00:00Z'))).toBe(330);
  });

  it('flags a 02:30 job on the spring-forward day as a gap, run at 03:30 local', () => {
    const [day1, day2, day3] = upcoming('30 2 * * *', NY, '2026-03-07T12:00:00Z', 3);
    expect(day1).toEqual({
      utc: '2026-03-08T07:30:00Z',
      local: '2026-03-08T03:30:00-04:00',
      dst: 'gap',
      note: expect.stringContaining('02:30 does not exist'),
    });
    expect(day1.note).toContain('03:30');
    expect(day2).toEqual({
      utc: '2026-03-09T06:30:00Z',
      local: '2026-03-09T02:30:00-04:00',
      dst: null,
    });
    expect(day3.dst).toBeNull();
  });

  it('does not flag an every-30-minutes job across the gap (03:00 is a real match)', () => {
    const times = upcoming('*/30 * * * *', NY, '2026-03-08T06:00:00Z', 3);
    expect(times.map((t) => t.local)).toEqual([
      '2026-03-08T01:30:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T03:30:00-04:00',
    ]);
    expect(times.every((t) => t.dst === null)).toBe(true);
  });

  it('flags a 01:30 job on the fall-back day as an overlap, run once', () => {
    const [day1, day2] = upcoming('30 1 * * *', NY, '2026-10-31T12:00:00Z', 2);
    expect(day1).toMatchObject({
      utc: '2026-11-01T05:30:00Z',
      local: '2026-11-01T01:30:00-04:00',
      dst: 'overlap',
    });
    expect(day1.note).toContain('runs only once');
    expect(day2).toMatchObject({
      utc: '2026-11-02T06:30:00Z',
      local: '2026-11-02T01:30:00-05:00',
      dst: null,
    });
  });

  it('shows both passes of the repeated hour for a minute-based job, each flagged', () => {
    const times = upcoming('0 * * * *', NY, '2026-11-01T04:30:00Z', 3);
    expect(times.map((t) => [t.local, t.dst])).toEqual([
      ['2026-11-01T01:00:00-04:00', 'overlap'],
      ['2026-11-01T01:00:00-05:00', 'overlap'],
      ['2026-11-01T02:00:00-05:00', null],
    ]);
    expect(times[0].note).toContain('runs at both');
  });

  it('never flags UTC', () => {
    expect(
      upcoming('30 2 * * *', 'UTC', '2026-03-07T12:00:00Z', 3).every((t) => t.dst === null),
    ).toBe(true);
  });
});
