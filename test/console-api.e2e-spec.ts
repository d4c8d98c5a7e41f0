import { BASE, createJob, drain } from './support/jobs-helpers';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const OPS = 'nightly-ops-secret-0123456789';
const READER = 'reader-secret-0123456789';

/**
 * The routes the console needs beyond the rest of the API: who a key is, an account at a glance,
 * a page of job summaries (one request, whatever the page holds), and the list of calendars.
 */
describe('console API: whoami, overview, job summaries, calendars (e2e)', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({
      config: {
        apiKeys: [
          {
            name: 'nightly-ops',
            token: OPS,
            accounts: ['acct1'],
            groups: ['nightly'],
            access: 'run',
          },
          { name: 'reader', token: READER, accounts: ['*'], access: 'read' },
        ],
        calendars: { acct1: { freeze: { timezone: 'UTC', dates: ['2026-01-09'] } } },
      },
    });
    t.clock.set('2026-01-05T10:00:00Z');
    ids.report = await createJob(
      t,
      { name: 'Report', schedule_expression: '*/30 * * * *' },
      'acct1',
      'nightly',
    );
    ids.broken = await createJob(
      t,
      {
        name: 'broken-sync',
        schedule_expression: '0 12 * * *',
        details: { runner: 'scriptedRunner', behavior: 'fail-always' },
      },
      'acct1',
      'nightly',
    );
    ids.paused = await createJob(
      t,
      { name: 'start-web', schedule_expression: '15 10 * * *' },
      'acct1',
      'web',
    );
    ids.off = await createJob(
      t,
      { name: 'stop-web', schedule_expression: '0 9 * * *', enabled: false },
      'acct1',
      'web',
    );
    await t.authed
      .post(`${BASE}/acct1/jobs/web/${ids.paused}/pause`)
      .send({ until: '2026-01-06T00:00:00Z', reason: 'migration' })
      .expect(200);
    await t.authed.patch(`${BASE}/acct1/jobs/nightly/${ids.broken}`).expect(202);
    await drain(t);
  });

  afterAll(() => stopTestApp(t));

  const as = (key: string, url: string) => t.http.get(url).set('X-Auth-Token', key);

  it('whoami: the key, its accounts with their runners, its groups and access', async () => {
    expect((await t.authed.get(`${BASE}/whoami`).expect(200)).body).toEqual({
      name: 'token',
      access: 'write',
      accounts: [
        { name: 'acct1', runners: ['dummyRunner', 'scriptedRunner'] },
        { name: 'acct2', runners: [] },
      ],
    });
    expect((await as(OPS, `${BASE}/whoami`).expect(200)).body).toEqual({
      name: 'nightly-ops',
      access: 'run',
      accounts: [{ name: 'acct1', runners: ['dummyRunner', 'scriptedRunner'] }],
      groups: ['nightly'],
    });
    await t.http.get(`${BASE}/whoami`).expect(401);
    await as('not-a-key-0123456789', `${BASE}/whoami`).expect(403);
  });

  it('overview: counts, the next fire times in order with pauses marked, the failing jobs', async () => {
    const res = await t.authed.get(`${BASE}/acct1/overview?hours=2`).expect(200);
    expect(res.body).toMatchObject({
      account: 'acct1',
      jobs: 4,
      enabled: 3,
      paused: 1,
      hours: 2,
      failing_total: 1,
    });
    expect(res.body.upcoming.map((u: { at: string; name: string }) => `${u.at} ${u.name}`)).toEqual(
      [
        '2026-01-05T10:15:00Z start-web',
        '2026-01-05T10:30:00Z Report',
        '2026-01-05T11:00:00Z Report',
        '2026-01-05T11:30:00Z Report',
      ],
    );
    expect(res.body.upcoming[0]).toMatchObject({ job: `web/${ids.paused}`, paused: true });
    expect(res.body.failing).toEqual([
      {
        job: `nightly/${ids.broken}`,
        name: 'broken-sync',
        last_run: expect.objectContaining({
          status: 'failed',
          trigger: 'manual',
          error: expect.stringContaining('still failing'),
        }),
      },
    ]);
    // A key scoped to one group sees that group only.
    const scoped = await as(OPS, `${BASE}/acct1/overview`).expect(200);
    expect(scoped.body).toMatchObject({ jobs: 2, enabled: 2, paused: 0, hours: 6 });
    expect(scoped.body.upcoming.every((u: { job: string }) => u.job.startsWith('nightly/'))).toBe(
      true,
    );
    const bad = await t.authed.get(`${BASE}/acct1/overview?hours=0`).expect(400);
    expect(bad.body.message).toMatch(/^hours /);
    await as(READER, `${BASE}/acct2/overview`).expect(200);
    await as(OPS, `${BASE}/acct2/overview`).expect(404);
  });

  it('job summaries: one page of rows with next fire time and newest run, filtered, paged', async () => {
    const all = await t.authed.get(`${BASE}/acct1/job-summaries`).expect(200);
    expect(all.body.jobs.map((j: { name: string }) => j.name).sort()).toEqual([
      'Report',
      'broken-sync',
      'start-web',
      'stop-web',
    ]);
    expect(all.body.next_start_after).toBeUndefined();
    const broken = all.body.jobs.find((j: { id: string }) => j.id === ids.broken);
    expect(broken).toMatchObject({
      group: 'nightly',
      runner: 'scriptedRunner',
      enabled: true,
      timezone: 'UTC',
      next: '2026-01-05T12:00:00Z',
      last_run: { status: 'failed', trigger: 'manual', will_retry: false },
    });
    const paused = all.body.jobs.find((j: { id: string }) => j.id === ids.paused);
    expect(paused.pause).toMatchObject({ reason: 'migration', until: '2026-01-06T00:00:00Z' });
    expect(paused.last_run).toBeUndefined();

    const names = async (query: string, key?: string) => {
      const res = key
        ? await as(key, `${BASE}/acct1/job-summaries?${query}`)
        : await t.authed.get(`${BASE}/acct1/job-summaries?${query}`);
      expect(res.status).toBe(200);
      return res.body.jobs.map((j: { name: string }) => j.name).sort();
    };
    expect(await names('paused=true')).toEqual(['start-web']);
    expect(await names('paused=false&enabled=true')).toEqual(['Report', 'broken-sync']);
    expect(await names('search=REP')).toEqual(['Report']);
    expect(await names('search=web&enabled=false')).toEqual(['stop-web']);
    expect(await names('runner=scriptedRunner')).toEqual(['broken-sync']);
    expect(await names('', OPS)).toEqual(['Report', 'broken-sync']);

    const first = await t.authed.get(`${BASE}/acct1/job-summaries?limit=3`).expect(200);
    expect(first.body.jobs).toHaveLength(3);
    const rest = await t.authed
      .get(
        `${BASE}/acct1/job-summaries?limit=3&start_after=${encodeURIComponent(first.body.next_start_after)}`,
      )
      .expect(200);
    expect(rest.body.jobs).toHaveLength(1);
    expect(rest.body.next_start_after).toBeUndefined();

    for (const [query, field] of [
      ['limit=501', 'limit'],
      ['paused=maybe', 'paused'],
      ['tag=nocolon', 'tag'],
    ]) {
      const bad = await t.authed.get(`${BASE}/acct1/job-summaries?${query}`).expect(400);
      expect(bad.body.message).toMatch(new RegExp(`^${field} `));
    }
  });

  it('calendars: the list holds those of the configuration and those set over the API', async () => {
    await t.authed
      .put(`${BASE}/acct1/calendars/holidays`)
      .send({ timezone: 'Europe/Berlin', dates: ['2026-12-24..2026-12-26'] })
      .expect(200);
    const res = await as(READER, `${BASE}/acct1/calendars`).expect(200);
    expect(res.body).toEqual([
      { name: 'freeze', source: 'config', timezone: 'UTC', dates: ['2026-01-09'] },
      {
        name: 'holidays',
        source: 'api',
        timezone: 'Europe/Berlin',
        dates: ['2026-12-24..2026-12-26'],
      },
    ]);
    expect((await t.authed.get(`${BASE}/acct2/calendars`).expect(200)).body).toEqual([]);
  });
});
