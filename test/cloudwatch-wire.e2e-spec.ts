import { drain, writeJobFile } from './support/jobs-helpers';
import { useFakeAws } from './support/fake-aws-hooks';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const BASE = '/v1/minion/acct1/jobs';

/**
 * CloudWatch Logs run log on the wire: the real SDK (JSON protocol, SigV4) against a local
 * endpoint set with AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, driven through the API, configured with the
 * original's untyped `logProvider: {region, akid, secret}`.
 */
describe('CloudWatch Logs run log on the wire (AWS_ENDPOINT_URL_CLOUDWATCH_LOGS)', () => {
  const fake = useFakeAws();
  let t: TestApp;

  async function app(logProvider: Record<string, unknown>) {
    t = await startTestApp({ config: { org: 'acme', logProvider } });
  }

  afterEach(() => stopTestApp(t));

  // The run log's calls (the audit trail writes to its own group, acme-audit: see audit.e2e-spec).
  const calls = () =>
    fake.requests.filter(
      (r) =>
        r.service === 'logs' &&
        (r.json as { logGroupName?: string })?.logGroupName !== 'acme-audit',
    );

  it('create: log group <org>-<group> with tags, 90-day retention, stream <id>; signed with the configured key', async () => {
    await app({ region: 'us-east-1', akid: 'AKIALOGSWIRE000', secret: 'logs-secret' });
    const res = await t.authed
      .post(`${BASE}/space-xy`)
      .send({
        job: {
          name: 'n',
          schedule_expression: '* * * * *',
          enabled: true,
          details: { runner: 'dummyRunner' },
        },
        tags: [{ key: 'foo', value: 'bar' }],
      })
      .expect(200);
    const id = res.body.job.id;
    expect(calls().map((r) => [r.action, r.headers['x-amz-target'], r.json])).toEqual([
      [
        'CreateLogGroup',
        'Logs_20140328.CreateLogGroup',
        { logGroupName: 'acme-space-xy', tags: { foo: 'bar' } },
      ],
      [
        'PutRetentionPolicy',
        'Logs_20140328.PutRetentionPolicy',
        { logGroupName: 'acme-space-xy', retentionInDays: 90 },
      ],
      [
        'CreateLogStream',
        'Logs_20140328.CreateLogStream',
        { logGroupName: 'acme-space-xy', logStreamName: id },
      ],
      // The answer's `log`, as the original's create answer had.
      [
        'DescribeLogGroups',
        'Logs_20140328.DescribeLogGroups',
        { logGroupNamePrefix: 'acme-space-xy', limit: 10 },
      ],
      [
        'GetLogEvents',
        'Logs_20140328.GetLogEvents',
        { logGroupName: 'acme-space-xy', logStreamName: id, startFromHead: false, limit: 1 },
      ],
    ]);
    expect(calls()[0].headers.authorization).toMatch(
      /Credential=AKIALOGSWIRE000\/\d{8}\/us-east-1\/logs\/aws4_request/,
    );
    expect(calls()[0].headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('update refreshes tags and retention', async () => {
    await app({ type: 'cloudwatch', config: { region: 'us-east-1', retentionDays: 30 } });
    const job = {
      name: 'n',
      schedule_expression: '* * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    const { body } = await t.authed.post(`${BASE}/space-xy`).send({ job }).expect(200);
    fake.requests.length = 0;
    await t.authed
      .put(`${BASE}/space-xy/${body.job.id}`)
      .send({ job, tags: [{ key: 'team', value: 'ops' }] })
      .expect(202);
    const actions = calls().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['TagLogGroup', 'PutRetentionPolicy']));
    expect(calls().find((r) => r.action === 'TagLogGroup')?.json).toEqual({
      logGroupName: 'acme-space-xy',
      tags: { team: 'ops' },
    });
    expect(calls().find((r) => r.action === 'PutRetentionPolicy')?.json).toEqual({
      logGroupName: 'acme-space-xy',
      retentionInDays: 30,
    });
  });

  it('runs: PutLogEvents carries each attempt as JSON; /runs and log read it back', async () => {
    await app({ region: 'us-east-1' });
    const job = {
      name: 'n',
      schedule_expression: '* * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    const { body } = await t.authed.post(`${BASE}/space-xy`).send({ job }).expect(200);
    const id = body.job.id;
    const { body: run } = await t.authed.patch(`${BASE}/space-xy/${id}`).expect(202);
    await drain(t);
    const put = calls().find((r) => r.action === 'PutLogEvents');
    expect(put?.json).toMatchObject({ logGroupName: 'acme-space-xy', logStreamName: id });
    const events = (put?.json as { logEvents: { timestamp: number; message: string }[] }).logEvents;
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].message)).toMatchObject({
      run_id: run.run_id,
      status: 'succeeded',
      output: 'Hello, acct1!',
    });
    const runs = await t.authed.get(`${BASE}/space-xy/${id}/runs`).expect(200);
    expect(runs.body).toEqual([
      expect.objectContaining({ run_id: run.run_id, status: 'succeeded' }),
    ]);
    const got = await t.authed.get(`${BASE}/space-xy/${id}`).expect(200);
    expect(got.body.log).toMatchObject({
      type: 'cloudwatch',
      name: 'acme-space-xy',
      stream: id,
      retention: 90,
      last_run: { run_id: run.run_id },
    });
    expect(got.body.log.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('reads the tags of a job the original wrote (no tags key) from its log group, as the original did', async () => {
    await app({ region: 'us-east-1' });
    fake.logs.groups.set('acme-space-go', {
      creationTime: Date.now(),
      tags: { team: 'ops', env: 'prod' },
      streams: new Map([['legacy-1', []]]),
    });
    writeJobFile(t, 'acct1', 'space-go', 'legacy-1', { name: 'from go' });
    const got = await t.authed.get(`${BASE}/space-go/legacy-1`).expect(200);
    expect(got.body.tags).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'ops' },
    ]);
    expect(calls().map((r) => r.action)).toContain('ListTagsLogGroup');
    // A document minion wrote has its own tags (possibly none): the log group is not asked.
    const { body } = await t.authed
      .post(`${BASE}/space-go`)
      .send({
        job: {
          name: 'n',
          schedule_expression: '@hourly',
          enabled: true,
          details: { runner: 'dummyRunner' },
        },
      })
      .expect(200);
    fake.requests.length = 0;
    const mine = await t.authed.get(`${BASE}/space-go/${body.job.id}`).expect(200);
    expect(mine.body.tags).toEqual([]);
    expect(calls().map((r) => r.action)).not.toContain('ListTagsLogGroup');
  });

  it('deleting a job or group leaves the logs, unless deleteLogs is configured', async () => {
    await app({ region: 'us-east-1' });
    const job = {
      name: 'n',
      schedule_expression: '* * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    const { body } = await t.authed.post(`${BASE}/space-xy`).send({ job }).expect(200);
    await t.authed.delete(`${BASE}/space-xy/${body.job.id}`).expect(202);
    await t.authed.delete(`${BASE}/space-xy`).expect(202);
    expect(fake.logs.groups.get('acme-space-xy')?.streams.has(body.job.id)).toBe(true);
    await stopTestApp(t);

    await app({ type: 'cloudwatch', config: { region: 'us-east-1', deleteLogs: true } });
    const { body: b2 } = await t.authed.post(`${BASE}/space-ab`).send({ job }).expect(200);
    await t.authed.delete(`${BASE}/space-ab/${b2.job.id}`).expect(202);
    expect(fake.logs.groups.get('acme-space-ab')?.streams.has(b2.job.id)).toBe(false);
    await t.authed.post(`${BASE}/space-ab`).send({ job }).expect(200);
    await t.authed.delete(`${BASE}/space-ab`).expect(202);
    expect(fake.logs.groups.has('acme-space-ab')).toBe(false);
  });
});
