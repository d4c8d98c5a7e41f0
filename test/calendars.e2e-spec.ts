import { allRuns, BASE, drain, tickAt } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/**
 * Blackout calendars (issue 15): per account, in the config (read-only) and over the API; a job
 * lists them in `blackout_calendars`; an occurrence on one of their days (counted in the
 * calendar's time zone) is recorded as `skipped: blackout <name>`; /next shows it.
 * Europe switches to summer time on Sunday 2026-03-29.
 */
describe('blackout calendars', () => {
  let t: TestApp;
  const CAL = `${BASE}/acct1/calendars`;

  beforeEach(async () => {
    t = await startTestApp({
      dataDirPrefix: 'minion-cal-',
      clock: new ManualClock('2026-03-27T12:00:00Z'),
      config: {
        calendars: {
          acct1: { freeze: { timezone: 'UTC', dates: ['2026-04-01..2026-04-03'] } },
        },
      },
    });
    await tickAt(t, '2026-03-27T12:01:00Z');
  });

  afterEach(() => stopTestApp(t));

  async function job(schedule: string, timezone: string, calendars: string[]): Promise<string> {
    const res = await t.authed
      .post(`${BASE}/acct1/jobs/g`)
      .send({
        job: {
          name: 'n',
          schedule_expression: schedule,
          timezone,
          enabled: true,
          details: { runner: 'dummyRunner' },
          blackout_calendars: calendars,
        },
      })
      .expect(200);
    return res.body.job.id;
  }

  it('PUT and GET a calendar; the config one is read-only; the change is audited', async () => {
    const body = {
      timezone: 'Europe/Berlin',
      dates: ['2026-03-29', '2026-12-24..2026-12-26'],
      description: 'holidays',
    };
    const put = await t.authed.put(`${CAL}/holidays`).send(body).expect(200);
    expect(put.body).toEqual({ name: 'holidays', source: 'api', ...body });
    expect((await t.authed.get(`${CAL}/holidays`).expect(200)).body).toEqual(put.body);
    expect((await t.authed.get(`${CAL}/freeze`).expect(200)).body).toMatchObject({
      source: 'config',
    });
    const refused = await t.authed.put(`${CAL}/freeze`).send(body).expect(409);
    expect(refused.body.message).toContain('defined in the configuration');
    await t.authed.get(`${CAL}/nothing`).expect(404);
    const audit = await t.authed.get(`${BASE}/acct1/audit`).expect(200);
    expect(audit.body.map((e: { action: string; id: string }) => [e.action, e.id])).toEqual([
      ['put-calendar', 'holidays'],
    ]);
  });

  it.each([
    [
      { timezone: 'Europe/Berlin', dates: ['2026-03-29', '2026-02-30'] },
      'dates[1]: "2026-02-30" is not a real date',
    ],
    [
      { timezone: 'Europe/Berlin', dates: ['2026-12-26..2026-12-24'] },
      'dates[0]: "2026-12-26..2026-12-24" ends before it starts',
    ],
    [
      { timezone: 'Europe/Berlin', dates: ['next friday'] },
      'dates[0]: "next friday" is not YYYY-MM-DD',
    ],
    [{ timezone: 'Mars/Olympus', dates: [] }, 'timezone must be an IANA time zone name'],
  ])('refuses %j with a 400 naming the field', async (body, message) => {
    const res = await t.authed.put(`${CAL}/bad`).send(body).expect(400);
    expect(String(res.body.message)).toContain(message);
    await t.authed.get(`${CAL}/bad`).expect(404);
  });

  it('a job may list only calendars its account has', async () => {
    const res = await t.authed
      .post(`${BASE}/acct1/jobs/g`)
      .send({
        job: {
          name: 'n',
          schedule_expression: '0 8 * * *',
          enabled: true,
          details: { runner: 'dummyRunner' },
          blackout_calendars: ['freeze', 'nope'],
        },
      })
      .expect(400);
    expect(res.body.message).toContain(
      'job.blackout_calendars[1]: no calendar "nope" in account acct1',
    );
  });

  it('skips occurrences on the calendar days (counted in its zone), across the DST change; /next shows them', async () => {
    await t.authed
      .put(`${CAL}/holidays`)
      .send({ timezone: 'Europe/Berlin', dates: ['2026-03-29'] })
      .expect(200);
    const berlin = await job('0 8 * * *', 'Europe/Berlin', ['holidays']);
    // 23:30 UTC on the 28th is already the 29th in Berlin: blacked out by the calendar's zone.
    const late = await job('30 23 * * *', 'UTC', ['holidays']);
    const next = await t.authed.get(`${BASE}/acct1/jobs/g/${berlin}/next?count=3`).expect(200);
    expect(
      next.body.next.map((f: { utc: string; blackout?: string }) => [f.utc, f.blackout ?? null]),
    ).toEqual([
      ['2026-03-28T07:00:00Z', null],
      ['2026-03-29T06:00:00Z', 'holidays'],
      ['2026-03-30T06:00:00Z', null],
    ]);
    for (const minute of [
      '2026-03-28T07:00:00Z',
      '2026-03-28T23:30:00Z',
      '2026-03-29T06:00:00Z',
      '2026-03-30T06:00:00Z',
    ]) {
      await tickAt(t, minute);
      await drain(t);
    }
    expect(
      (await allRuns(t, berlin)).map((r) => [r.scheduled_for, r.status, r.error ?? null]),
    ).toEqual([
      ['2026-03-28T07:00:00Z', 'succeeded', null],
      ['2026-03-29T06:00:00Z', 'skipped', 'blackout holidays'],
      ['2026-03-30T06:00:00Z', 'succeeded', null],
    ]);
    expect(
      // (The clock jumps over the other evenings: those are `missed`, not the point here.)
      (await allRuns(t, late))
        .filter((r) => r.status !== 'missed')
        .map((r) => [r.scheduled_for, r.status, r.error ?? null]),
    ).toEqual([['2026-03-28T23:30:00Z', 'skipped', 'blackout holidays']]);
    // A manual run on a blacked-out day still runs.
    await t.authed.patch(`${BASE}/acct1/jobs/g/${berlin}`).expect(202);
    await drain(t);
    expect((await allRuns(t, berlin)).pop()).toMatchObject({
      trigger: 'manual',
      status: 'succeeded',
    });
  });
});
