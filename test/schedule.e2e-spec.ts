import { BASE } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** One view of what will happen (issue 15): fire times in order, pauses, blackouts, conflicts. */
describe('GET /{account}/schedule', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp({
      dataDirPrefix: 'minion-schedule-',
      clock: new ManualClock('2026-12-06T12:00:00Z'),
      config: {
        accounts: { acct1: { runners: ['dummyRunner', 'instanceRunner'] } },
        jobRunners: {
          dummyRunner: { type: 'dummy' },
          instanceRunner: { type: 'instance' },
        },
      },
    });
  });

  afterEach(() => stopTestApp(t));

  async function job(
    group: string,
    name: string,
    schedule: string,
    details: Record<string, string>,
    extra = {},
  ) {
    const res = await t.authed
      .post(`${BASE}/acct1/jobs/${group}`)
      .send({ job: { name, schedule_expression: schedule, enabled: true, details, ...extra } })
      .expect(200);
    return `${group}/${res.body.job.id}`;
  }
  const instance = (action: string, id = 'i-aaaabbbb11112222') => ({
    runner: 'instanceRunner',
    instance_action: action,
    instance_id: id,
  });

  it('every fire time in order, with a conflict between two groups acting on one instance', async () => {
    const stop = await job('ops', 'stop-evening', '0 18 * * MON-FRI', instance('stop'));
    const start = await job('dev', 'start-late', '59 17 * * MON-FRI', instance('start'));
    const other = await job(
      'dev',
      'stop-other',
      '0 18 * * MON-FRI',
      instance('stop', 'i-0000000011112222'),
    );
    const hello = await job('dev', 'hello', '0 12 * * *', { runner: 'dummyRunner' });
    const res = await t.authed
      .get(`${BASE}/acct1/schedule?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z`)
      .expect(200);
    expect(res.body).toEqual(
      [
        { at: '2026-12-07T12:00:00Z', job: hello, name: 'hello', runner: 'dummyRunner' },
        {
          at: '2026-12-07T17:59:00Z',
          job: start,
          name: 'start-late',
          runner: 'instanceRunner',
          resource: 'instance:i-aaaabbbb11112222',
          action: 'start',
          conflicts: [`${stop}@2026-12-07T18:00:00Z`],
        },
        {
          at: '2026-12-07T18:00:00Z',
          job: stop,
          name: 'stop-evening',
          runner: 'instanceRunner',
          resource: 'instance:i-aaaabbbb11112222',
          action: 'stop',
          conflicts: [`${start}@2026-12-07T17:59:00Z`],
        },
        {
          at: '2026-12-07T18:00:00Z',
          job: other,
          name: 'stop-other',
          runner: 'instanceRunner',
          resource: 'instance:i-0000000011112222',
          action: 'stop',
        },
      ].sort((a, b) => (a.at === b.at ? a.job.localeCompare(b.job) : a.at < b.at ? -1 : 1)),
    );
    // A tighter window: one minute apart is still within 1m; 30s is not.
    const tight = await t.authed
      .get(`${BASE}/acct1/schedule?from=2026-12-07T00:00:00Z&to=2026-12-08T00:00:00Z&within=30s`)
      .expect(200);
    expect(tight.body.some((e: { conflicts?: string[] }) => e.conflicts)).toBe(false);
  });

  it('paused and blacked-out occurrences are marked, and conflict with nothing', async () => {
    await t.authed
      .put(`${BASE}/acct1/calendars/holidays`)
      .send({ timezone: 'UTC', dates: ['2026-12-08'] })
      .expect(200);
    const stop = await job('ops', 'stop', '0 18 * * *', instance('stop'), {
      blackout_calendars: ['holidays'],
    });
    const start = await job('dev', 'start', '59 17 * * *', instance('start'));
    const [, id] = start.split('/');
    await t.authed
      .post(`${BASE}/acct1/jobs/dev/${id}/pause`)
      .send({ until: '2026-12-08T00:00:00Z', reason: 'x' })
      .expect(200);
    const res = await t.authed
      .get(`${BASE}/acct1/schedule?from=2026-12-07T00:00:00Z&to=2026-12-10T00:00:00Z`)
      .expect(200);
    const view = res.body.map(
      (e: {
        at: string;
        job: string;
        paused?: boolean;
        blackout?: string;
        conflicts?: string[];
      }) => [
        e.at,
        e.job === stop ? 'stop' : 'start',
        e.paused
          ? 'paused'
          : e.blackout
            ? `blackout ${e.blackout}`
            : e.conflicts
              ? 'conflict'
              : 'runs',
      ],
    );
    expect(view).toEqual([
      ['2026-12-07T17:59:00Z', 'start', 'paused'],
      ['2026-12-07T18:00:00Z', 'stop', 'runs'],
      ['2026-12-08T17:59:00Z', 'start', 'runs'],
      ['2026-12-08T18:00:00Z', 'stop', 'blackout holidays'],
      ['2026-12-09T17:59:00Z', 'start', 'conflict'],
      ['2026-12-09T18:00:00Z', 'stop', 'conflict'],
    ]);
  });

  it.each([
    ['from=2026-12-08T00:00:00Z&to=2026-12-07T00:00:00Z', 'to: must be after from'],
    ['from=2026-12-01T00:00:00Z&to=2027-01-15T00:00:00Z', 'to: the window is at most 31 days'],
    ['from=tomorrow', 'from must be an RFC 3339 date-time'],
    ['within=5 minutes', 'within'],
  ])('?%s is a 400 naming the parameter', async (query, message) => {
    const res = await t.authed.get(`${BASE}/acct1/schedule?${query}`).expect(400);
    expect(String(res.body.message)).toContain(message);
  });
});
