import request from 'supertest';
import { useFakeAws } from './support/fake-aws-hooks';
import { BASE, drain } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const TEAM = 'team-a-secret-0123456789';
const JOB = {
  name: 'nightly',
  schedule_expression: '0 8 * * *',
  enabled: true,
  details: { runner: 'dummyRunner' },
};

/**
 * The audit trail (issue 15) through the API: every create, update, delete, group delete, run,
 * pause and resume, with when, which key, the client address and the changed fields; per job
 * and per account from `since`, paged; in SQLite by default and in CloudWatch Logs with it.
 */
describe.each(['file', 'cloudwatch'])('audit trail (%s)', (store) => {
  useFakeAws();
  let t: TestApp;

  beforeEach(async () => {
    const logProvider =
      store === 'cloudwatch' ? { type: 'cloudwatch', config: { region: 'us-east-1' } } : undefined;
    t = await startTestApp({
      dataDirPrefix: 'minion-audit-',
      clock: new ManualClock('2026-12-04T17:30:00Z'),
      config: {
        ...(logProvider ? { logProvider } : {}),
        apiKeys: [{ name: 'team-a', token: TEAM, accounts: ['acct1'], access: 'write' }],
      },
    });
  });

  afterEach(() => stopTestApp(t));

  const as = (method: 'post' | 'put' | 'patch' | 'delete' | 'get', url: string) =>
    request(t.app.getHttpServer())[method](url).set('X-Auth-Token', TEAM);

  it('records who did what to a job, and what changed; its history outlives it', async () => {
    const created = await as('post', `${BASE}/acct1/jobs/g`).send({ job: JOB }).expect(200);
    const id = created.body.job.id;
    const url = `${BASE}/acct1/jobs/g/${id}`;
    t.clock.set(new Date('2026-12-04T17:31:00Z'));
    await as('put', url)
      .send({
        job: {
          ...JOB,
          schedule_expression: '0 7 * * *',
          details: { runner: 'dummyRunner', note: 'x' },
        },
      })
      .expect(202);
    await as('patch', url).expect(202);
    await drain(t);
    await as('post', `${url}/pause`).send({ reason: 'freeze' }).expect(200);
    await t.authed.post(`${url}/resume`).expect(200); // with the original token
    await as('delete', url).expect(202);

    const history = await t.authed.get(`${url}/history`).expect(200);
    expect(history.body.map((e: { action: string; key: string }) => [e.action, e.key])).toEqual([
      ['delete', 'team-a'],
      ['resume', 'token'],
      ['pause', 'team-a'],
      ['run', 'team-a'],
      ['update', 'team-a'],
      ['create', 'team-a'],
    ]);
    const byAction = Object.fromEntries(history.body.map((e: { action: string }) => [e.action, e]));
    expect(byAction.update).toMatchObject({
      at: '2026-12-04T17:31:00.000Z',
      account: 'acct1',
      group: 'g',
      id,
      client: expect.stringMatching(/127\.0\.0\.1|::1/),
      changes: {
        schedule_expression: { before: '0 8 * * *', after: '0 7 * * *' },
        'details.note': { before: null, after: 'x' },
      },
    });
    expect(Object.keys(byAction.update.changes)).not.toContain('name');
    expect(byAction.create.changes.name).toEqual({ before: null, after: 'nightly' });
    expect(byAction.run.detail).toMatch(new RegExp(`^acct1/g/${id}@manual-`));
    expect(byAction.pause.changes.pause.after).toMatchObject({ reason: 'freeze', by: 'team-a' });
    expect(byAction.delete.changes.name).toEqual({ before: 'nightly', after: null });
  });

  it('an account feed from `since`, oldest first, paged with Link, group actions included', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.set(new Date(Date.parse('2026-12-04T18:00:00Z') + i * 60_000));
      ids.push(
        (await as('post', `${BASE}/acct1/jobs/g`).send({ job: JOB }).expect(200)).body.job.id,
      );
    }
    t.clock.set(new Date('2026-12-04T18:10:00Z'));
    await as('delete', `${BASE}/acct1/jobs/g`).expect(202);
    const seen: { action: string; id: string | null; detail?: string }[] = [];
    let url: string | undefined = `${BASE}/acct1/audit?since=2026-12-04T18:01:00Z&limit=2`;
    while (url) {
      const res: request.Response = await t.authed.get(url).expect(200);
      seen.push(...res.body);
      url = /<([^>]+)>/.exec((res.headers.link as string | undefined) ?? '')?.[1];
    }
    expect(seen.map((e) => [e.action, e.id])).toEqual([
      ['create', ids[1]],
      ['create', ids[2]],
      ['delete-group', null],
    ]);
    expect(seen[2].detail?.split(', ').sort()).toEqual([...ids].sort());
  });

  it('bad queries are a 400 naming the parameter', async () => {
    const res = await t.authed.get(`${BASE}/acct1/audit?since=yesterday`).expect(400);
    expect(JSON.stringify(res.body.message)).toContain('since must be an RFC 3339 date-time');
    await t.authed.get(`${BASE}/nosuch/audit`).expect(404);
  });
});
