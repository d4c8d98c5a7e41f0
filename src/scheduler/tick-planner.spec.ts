import { CronSchedule } from '../common/cron/cron-schedule';
import { PlannableJob, TickPlanner } from './tick-planner';

const at = (iso: string) => Date.parse(iso);
const job = (id: string, expression: string | null): PlannableJob => ({
  key: `acct/grp/${id}`,
  job: { account: 'acct', group: 'grp', id },
  schedule: expression === null ? null : CronSchedule.parse(expression, 'UTC'),
});

/** A planner over `jobs`, started with `last` as the last minute planned. */
function planner(jobs: PlannableJob[], last: string, catchUpMinutes = 10) {
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const p = new TickPlanner((key) => byKey.get(key), catchUpMinutes * 60_000);
  p.start(at(last), jobs);
  return { p, byKey };
}

const ids = (plan: ReturnType<TickPlanner['plan']>) => plan?.occurrences.map((o) => o.id) ?? [];

describe('TickPlanner', () => {
  it('plans nothing before start, and nothing while still in the last minute planned', () => {
    const p = new TickPlanner(() => undefined, 600_000);
    expect(p.plan(new Date())).toBeNull();
    const { p: started } = planner([job('a', '* * * * *')], '2026-01-05T10:00:00Z');
    expect(started.plan(new Date('2026-01-05T10:00:58Z'))).toBeNull();
  });

  it('each due job once per minute, with its occurrence id, key and minute', () => {
    const { p } = planner(
      [job('every', '* * * * *'), job('five', '*/5 * * * *'), job('never', null)],
      '2026-01-05T10:04:00Z',
    );
    const plan = p.plan(new Date('2026-01-05T10:05:02Z'));
    expect(plan?.minutes).toEqual(['2026-01-05T10:05:00Z']);
    expect(ids(plan).sort()).toEqual([
      'acct/grp/every@2026-01-05T10:05:00Z',
      'acct/grp/five@2026-01-05T10:05:00Z',
    ]);
    expect(plan?.occurrences[0]).toMatchObject({
      key: expect.stringMatching(/^acct\/grp\//),
      trigger: 'schedule',
      scheduledFor: '2026-01-05T10:05:00Z',
      account: 'acct',
      group: 'grp',
    });
    expect(ids(p.plan(new Date('2026-01-05T10:06:00Z')))).toEqual([
      'acct/grp/every@2026-01-05T10:06:00Z',
    ]);
  });

  it('a timer firing up to a second early still plans the new minute', () => {
    const { p } = planner([job('a', '* * * * *')], '2026-01-05T10:00:00Z');
    expect(ids(p.plan(new Date('2026-01-05T10:00:59.500Z')))).toEqual([
      'acct/grp/a@2026-01-05T10:01:00Z',
    ]);
  });

  it('a late tick plans every minute it skipped, each occurrence once', () => {
    const { p } = planner([job('a', '* * * * *')], '2026-01-05T10:00:00Z');
    const plan = p.plan(new Date('2026-01-05T10:03:30Z'));
    expect(plan?.minutes).toHaveLength(3);
    expect(ids(plan)).toEqual([
      'acct/grp/a@2026-01-05T10:01:00Z',
      'acct/grp/a@2026-01-05T10:02:00Z',
      'acct/grp/a@2026-01-05T10:03:00Z',
    ]);
    expect(plan?.missed).toEqual([]);
    expect(p.plan(new Date('2026-01-05T10:03:40Z'))).toBeNull();
  });

  it('minutes older than the catch-up window are counted as missed per job, not run', () => {
    const { p } = planner(
      [job('a', '* * * * *'), job('hourly', '0 * * * *')],
      '2026-01-05T08:00:00Z',
      10,
    );
    const plan = p.plan(new Date('2026-01-05T10:30:00Z'))!;
    // The window is the ten minutes up to 10:30, both ends included.
    expect(plan.minutes[0]).toBe('2026-01-05T10:20:00Z');
    expect(ids(plan)).toHaveLength(11);
    const missed = Object.fromEntries(plan.missed.map((m) => [m.job.id, m]));
    expect(missed.a).toMatchObject({
      count: 139, // 08:01 .. 10:19
      first: at('2026-01-05T08:01:00Z'),
      last: at('2026-01-05T10:19:00Z'),
      capped: false,
    });
    expect(missed.hourly).toMatchObject({ count: 2, first: at('2026-01-05T09:00:00Z') });
    expect(missed.hourly.last).toBe(at('2026-01-05T10:00:00Z'));
  });

  it('a saved job fires from its next time after now, never for the minute already planned', () => {
    const { p, byKey } = planner([], '2026-01-05T10:00:00Z');
    const saved = job('new', '* * * * *');
    byKey.set(saved.key, saved);
    p.place(saved.key, saved, at('2026-01-05T10:00:10Z'));
    expect(p.nextOf(saved.key)).toBe(at('2026-01-05T10:01:00Z'));
    expect(ids(p.plan(new Date('2026-01-05T10:01:00Z')))).toEqual([
      'acct/grp/new@2026-01-05T10:01:00Z',
    ]);
  });

  it('a deleted or disabled job (placed as null) is dropped from the plan', () => {
    const a = job('a', '* * * * *');
    const { p, byKey } = planner([a], '2026-01-05T10:00:00Z');
    byKey.delete(a.key);
    p.place(a.key, null, at('2026-01-05T10:00:30Z'));
    expect(p.size).toBe(0);
    expect(ids(p.plan(new Date('2026-01-05T10:01:00Z')))).toEqual([]);
  });

  it('jobs sharing a schedule each get their own occurrence', () => {
    const jobs = Array.from({ length: 50 }, (_, i) => job(`j${i}`, '*/2 * * * *'));
    const { p } = planner(jobs, '2026-01-05T10:00:00Z');
    expect(p.plan(new Date('2026-01-05T10:01:00Z'))?.occurrences).toHaveLength(0);
    expect(p.plan(new Date('2026-01-05T10:02:00Z'))?.occurrences).toHaveLength(50);
  });
});
