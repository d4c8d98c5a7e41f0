import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bcrypt from '@node-rs/bcrypt';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { createTestApp, SEED_DUMMY_CREATE, TEST_TOKEN, TestApp } from './support/test-app';

const BASE = '/v1/minion';
const JOBS = `${BASE}/acct1/jobs`;

function jobBody(overrides: Record<string, unknown> = {}, tags?: unknown) {
  return {
    job: { ...SEED_DUMMY_CREATE.job, ...overrides },
    ...(tags === undefined ? { tags: SEED_DUMMY_CREATE.tags } : { tags }),
  };
}

describe('jobs API (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });

  afterEach(() => stopTestApp(t));

  async function create(group = 'space-xy', body: object = SEED_DUMMY_CREATE): Promise<string> {
    const res = await t.authed.post(`${JOBS}/${group}`).send(body).expect(200);
    return res.body.job.id as string;
  }

  describe('public routes', () => {
    it('ping answers pong without a token', async () => {
      const res = await t.http.get(`${BASE}/ping`).expect(200);
      expect(res.text).toBe('pong');
    });

    it('version answers version, githash and buildstamp', async () => {
      const res = await t.http.get(`${BASE}/version`).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['buildstamp', 'githash', 'version']);
      expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('metrics are Prometheus text with Node defaults and the HTTP counter by route', async () => {
      await t.http.get(`${BASE}/ping`).expect(200);
      await t.authed.get(`${JOBS}`).expect(200);
      const res = await t.http.get(`${BASE}/metrics`).expect(200);
      expect(res.text).toContain('process_cpu_user_seconds_total');
      expect(res.text).toMatch(
        /minion_http_requests_total\{method="GET",route="\/v1\/minion\/:account\/jobs",status="200"\} \d+/,
      );
      expect(res.text).toContain('minion_http_request_duration_seconds_bucket');
    });

    it('health live and ready answer ok without a token', async () => {
      await t.http.get(`${BASE}/health/live`).expect(200);
      const ready = await t.http.get(`${BASE}/health/ready`).expect(200);
      expect(ready.body.info.repository.status).toBe('up');
    });

    it('CORS preflight is answered 200 for any origin with X-Auth-Token allowed', async () => {
      const res = await t.http
        .options(`${JOBS}/space-xy`)
        .set('Origin', 'https://portal.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'X-Auth-Token')
        .expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-headers']).toMatch(/X-Auth-Token/i);
    });
  });

  describe('authentication', () => {
    it('401 without the header', async () => {
      const res = await t.http.get(JOBS).expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'missing X-Auth-Token header',
      });
    });

    it('403 with a wrong token, and the token is not echoed', async () => {
      const res = await t.http.get(JOBS).set('X-Auth-Token', 'not-the-token').expect(403);
      expect(res.body.statusCode).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('not-the-token');
      expect(JSON.stringify(res.body)).not.toContain(TEST_TOKEN);
    });

    it('accepts a bcrypt hash of the token, as original clients send', async () => {
      const hash = await bcrypt.hash(TEST_TOKEN, 4);
      await t.http.get(JOBS).set('X-Auth-Token', hash).expect(200);
    });

    it('403 for a bcrypt hash of another token', async () => {
      const hash = await bcrypt.hash('another-token', 4);
      await t.http.get(JOBS).set('X-Auth-Token', hash).expect(403);
    });

    it('every job route is guarded', async () => {
      const id = '6bcfa79f-615e-470d-97c1-687f3357497d';
      await t.http.get(`${JOBS}/g`).expect(401);
      await t.http.post(`${JOBS}/g`).send(SEED_DUMMY_CREATE).expect(401);
      await t.http.get(`${JOBS}/g/${id}`).expect(401);
      await t.http.put(`${JOBS}/g/${id}`).send(SEED_DUMMY_CREATE).expect(401);
      await t.http.delete(`${JOBS}/g/${id}`).expect(401);
      await t.http.delete(`${JOBS}/g`).expect(401);
      await t.http.patch(`${JOBS}/g/${id}`).expect(401);
    });
  });

  describe('create', () => {
    it('with Idempotency-Key: a retry answers the same job (one stored), a different job under the key is 409, a bad key 400', async () => {
      const post = (key: string, body: object = SEED_DUMMY_CREATE) =>
        t.authed.post(`${JOBS}/space-xy`).set('Idempotency-Key', key).send(body);
      const first = await post('order-42').expect(200);
      t.clock.advance(5000);
      const retry = await post('order-42').expect(200);
      expect(retry.body.job.id).toBe(first.body.job.id);
      expect(retry.body.job.modified_at).toBe(first.body.job.modified_at);
      const listed = await t.authed.get(`${JOBS}/space-xy`).expect(200);
      expect(listed.body).toEqual([first.body.job.id]);
      const other = await post('order-42', jobBody({ name: 'another' })).expect(409);
      expect(other.body.message).toMatch(/Idempotency-Key already created/);
      const bad = await post('has space').expect(400);
      expect(bad.body.message).toMatch(/^Idempotency-Key: /);
      // Without the key, each create is a new job, as before.
      await t.authed.post(`${JOBS}/space-xy`).send(SEED_DUMMY_CREATE).expect(200);
      expect((await t.authed.get(`${JOBS}/space-xy`).expect(200)).body).toHaveLength(2);
    });

    it('accepts the seed dummy example verbatim and answers {job, tags, log, next}', async () => {
      t.clock.set('2026-01-05T10:00:30.250Z');
      const res = await t.authed.post(`${JOBS}/space-xy`).send(SEED_DUMMY_CREATE).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['job', 'log', 'next', 'tags']);
      expect(res.body.log).toBeNull();
      expect(res.body.job).toMatchObject({
        account: 'acct1',
        group: 'space-xy',
        name: 'dummy-spin1234567',
        description: 'Do some dumb thing to my server',
        details: { runner: 'dummyRunner' },
        schedule_expression: '* * * ? *',
        enabled: true,
        modified_by: 'someone',
      });
      expect(res.body.job.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(res.body.job.modified_at).toBe('2026-01-05T10:00:30Z');
      expect(res.body.tags).toEqual(SEED_DUMMY_CREATE.tags);
      expect(res.body.next).toBe('2026-01-05T10:01:00Z');
    });

    it('takes account and group from the path, and ignores client id and modified_at', async () => {
      const res = await t.authed
        .post(`${JOBS}/space-ab`)
        .send(
          jobBody({
            group: 'other',
            account: 'acct2',
            id: 'mine',
            modified_at: '1999-01-01T00:00:00Z',
          }),
        )
        .expect(200);
      expect(res.body.job.group).toBe('space-ab');
      expect(res.body.job.account).toBe('acct1');
      expect(res.body.job.id).not.toBe('mine');
      expect(res.body.job.modified_at).not.toBe('1999-01-01T00:00:00Z');
    });

    it('stores the original document layout at <path>/<org>/<account>/<group>/<id>', async () => {
      const id = await create();
      const text = readFileSync(join(t.dataDir, 'test', 'acct1', 'space-xy', id), 'utf8');
      const stored = JSON.parse(text);
      expect(Object.keys(stored)).toEqual([
        'account',
        'description',
        'details',
        'group',
        'id',
        'modified_at',
        'modified_by',
        'name',
        'schedule_expression',
        'enabled',
        'tags',
      ]);
      expect(text).toContain('\n  "account": "acct1"');
    });

    it.each([
      '* * * ? *',
      '00 18 * * *',
      '@yearly',
      '@annually',
      '@monthly',
      '@weekly',
      '@daily',
      '@midnight',
      '@hourly',
      '*/15 9-17 * * MON-FRI',
      '0 0 1 JAN ?',
    ])('accepts schedule %s', async (expr) => {
      await t.authed
        .post(`${JOBS}/g`)
        .send(jobBody({ schedule_expression: expr }))
        .expect(200);
    });

    it.each([
      [{ schedule_expression: '* * *' }, 'job.schedule_expression'],
      [{ schedule_expression: '61 * * * *' }, 'job.schedule_expression'],
      [{ schedule_expression: '* * * * * *' }, 'job.schedule_expression'],
      [{ schedule_expression: '0 0 30 2 *' }, 'job.schedule_expression'],
      [{ schedule_expression: '@often' }, 'job.schedule_expression'],
      [{ schedule_expression: 5 }, 'job.schedule_expression'],
      [{ enabled: 'true' }, 'job.enabled'],
      [{ enabled: undefined }, 'job.enabled'],
      [{ name: '' }, 'job.name'],
      [{ name: 7 }, 'job.name'],
      [{ description: 7 }, 'job.description'],
      [{ modified_by: ['x'] }, 'job.modified_by'],
      [{ details: { runner: 'dummyRunner', count: 3 } }, 'job.details.count'],
      [{ details: 'dummyRunner' }, 'job.details'],
      [{ details: {} }, 'job.details.runner'],
      [{ details: { runner: 'nope' } }, 'job.details.runner'],
      [{ details: { runner: 'dummyRunner', constructor: 'x' } }, 'job.details'],
    ])('400 for %j naming %s', async (override, field) => {
      const res = await t.authed.post(`${JOBS}/g`).send(jobBody(override)).expect(400);
      expect(res.body.statusCode).toBe(400);
      expect(res.body.error).toBe('Bad Request');
      expect(res.body.message).toContain(field);
    });

    it.each([
      [{ tags: 'x' }, 'tags'],
      [{ tags: [{ key: '', value: 'v' }] }, 'tags[0].key'],
      [{ tags: [{ key: 'k', value: 3 }] }, 'tags[0].value'],
      [{ tags: [[]] }, 'tags[0]'],
      [{ tags: [{ key: 'a', value: 'b' }, 'x'] }, 'tags[1]'],
      [{ job: undefined }, 'job'],
      [{ job: [] }, 'job'],
      [{ job: [[]] }, 'job'],
      [{ job: [SEED_DUMMY_CREATE.job] }, 'job'],
      [{ job: 'x' }, 'job'],
      [{ job: null }, 'job'],
    ])('400 for body %j naming %s', async (override, field) => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({ ...jobBody(), ...override })
        .expect(400);
      expect(res.body.message).toContain(field);
    });

    it('400 when the runner is configured but not allowed for the account', async () => {
      const res = await t.authed.post(`${BASE}/acct2/jobs/g`).send(SEED_DUMMY_CREATE).expect(400);
      expect(res.body.message).toContain('job.details.runner');
      expect(res.body.message).toContain('not allowed for account "acct2"');
    });

    it('400 for malformed JSON, as JSON', async () => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .set('Content-Type', 'application/json')
        .send('{"job": ')
        .expect(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: 'request body is not valid JSON',
      });
    });

    it('413 for a body over 1 MiB, as JSON, and nothing is written', async () => {
      const big = jobBody({ description: 'x'.repeat(1024 * 1024 + 10) });
      const res = await t.authed.post(`${JOBS}/g`).send(big).expect(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body is larger than 1 MiB',
      });
      expect((await t.authed.get(JOBS).expect(200)).body).toEqual([]);
    });

    it('404 for an unknown account', async () => {
      const res = await t.authed.post(`${BASE}/nobody/jobs/g`).send(SEED_DUMMY_CREATE).expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: 'account not found: nobody',
      });
    });

    it('an invalid request writes nothing', async () => {
      await t.authed
        .post(`${JOBS}/g`)
        .send(jobBody({ details: { runner: 'nope' } }))
        .expect(400);
      expect(readdirSync(t.dataDir)).toEqual([]);
    });
  });

  describe('list', () => {
    it('lists an account as group/id and a group as bare ids', async () => {
      const a = await create('space-xy');
      const b = await create('space-xy');
      const c = await create('space-ab');
      const account = await t.authed.get(JOBS).expect(200);
      expect(account.body).toEqual([`space-ab/${c}`, ...[`space-xy/${a}`, `space-xy/${b}`].sort()]);
      const group = await t.authed.get(`${JOBS}/space-xy`).expect(200);
      expect(group.body).toEqual([a, b].sort());
      expect((await t.authed.get(`${JOBS}/empty`).expect(200)).body).toEqual([]);
    });

    it('404 for an unknown account', async () => {
      await t.authed.get(`${BASE}/nobody/jobs`).expect(404);
      await t.authed.get(`${BASE}/nobody/jobs/g`).expect(404);
    });

    it('ignores a leftover temp file from an interrupted write', async () => {
      const id = await create('space-xy');
      const dir = join(t.dataDir, 'test', 'acct1', 'space-xy');
      writeFileSync(join(dir, `.${id}.deadbeef.tmp`), '{"half": ');
      expect((await t.authed.get(`${JOBS}/space-xy`).expect(200)).body).toEqual([id]);
      expect((await t.authed.get(JOBS).expect(200)).body).toEqual([`space-xy/${id}`]);
      const got = await t.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
      expect(got.body.job.name).toBe('dummy-spin1234567');
    });
  });

  describe('get', () => {
    it('answers {job, tags, log, next}', async () => {
      const id = await create();
      const res = await t.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['job', 'log', 'next', 'tags']);
      expect(res.body.job.id).toBe(id);
      expect(res.body.tags).toEqual(SEED_DUMMY_CREATE.tags);
    });

    it('404 for an unknown job, and for an unknown account', async () => {
      const res = await t.authed
        .get(`${JOBS}/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d`)
        .expect(404);
      expect(res.body.message).toBe('job not found: space-xy/6bcfa79f-615e-470d-97c1-687f3357497d');
      await t.authed.get(`${BASE}/nobody/jobs/g/x`).expect(404);
    });

    it('loads a document without tags (written by the original service)', async () => {
      const id = await create();
      const file = join(t.dataDir, 'test', 'acct1', 'space-xy', id);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      delete doc.tags;
      writeFileSync(file, JSON.stringify(doc, null, 4));
      const res = await t.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
      expect(res.body.tags).toEqual([]);
      expect(res.body.job.name).toBe('dummy-spin1234567');
    });
  });

  describe('update', () => {
    it('replaces the job and answers 202 {job, tags, log, next}', async () => {
      const id = await create();
      const res = await t.authed
        .put(`${JOBS}/space-xy/${id}`)
        .send(jobBody({ id, enabled: false, name: 'renamed' }, [{ key: 'only', value: 'one' }]))
        .expect(202);
      expect(Object.keys(res.body).sort()).toEqual(['job', 'log', 'next', 'tags']);
      expect(res.body.job).toMatchObject({
        id,
        enabled: false,
        name: 'renamed',
        group: 'space-xy',
      });
      expect(res.body.tags).toEqual([{ key: 'only', value: 'one' }]);
      const got = await t.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
      expect(got.body.job.enabled).toBe(false);
      expect(got.body.job.name).toBe('renamed');
    });

    it('takes the id from the path, not the body', async () => {
      const id = await create();
      await t.authed
        .put(`${JOBS}/space-xy/${id}`)
        .send(jobBody({ id: 'other-id' }))
        .expect(202);
      expect((await t.authed.get(`${JOBS}/space-xy`).expect(200)).body).toEqual([id]);
    });

    it('404 when the job does not exist, and nothing is created', async () => {
      const res = await t.authed
        .put(`${JOBS}/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d`)
        .send(SEED_DUMMY_CREATE)
        .expect(404);
      expect(res.body.message).toContain('job not found');
      expect((await t.authed.get(JOBS).expect(200)).body).toEqual([]);
    });

    it('400 for an invalid field, and the stored job is unchanged', async () => {
      const id = await create();
      const res = await t.authed
        .put(`${JOBS}/space-xy/${id}`)
        .send(jobBody({ schedule_expression: 'nope' }))
        .expect(400);
      expect(res.body.message).toContain('job.schedule_expression');
      const got = await t.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
      expect(got.body.job.schedule_expression).toBe('* * * ? *');
    });
  });

  describe('delete', () => {
    it('deletes one job: 202 OK, then 404', async () => {
      const id = await create();
      const res = await t.authed.delete(`${JOBS}/space-xy/${id}`).expect(202);
      expect(res.text).toBe('OK');
      await t.authed.get(`${JOBS}/space-xy/${id}`).expect(404);
      await t.authed.delete(`${JOBS}/space-xy/${id}`).expect(404);
    });

    it('deletes a whole group and leaves other groups', async () => {
      await create('space-xy');
      await create('space-xy');
      const keep = await create('space-ab');
      const res = await t.authed.delete(`${JOBS}/space-xy`).expect(202);
      expect(res.text).toBe('OK');
      expect((await t.authed.get(JOBS).expect(200)).body).toEqual([`space-ab/${keep}`]);
      await t.authed.delete(`${JOBS}/never-existed`).expect(202);
    });

    it('404 for an unknown account', async () => {
      await t.authed.delete(`${BASE}/nobody/jobs/g`).expect(404);
      await t.authed.delete(`${BASE}/nobody/jobs/g/x`).expect(404);
    });
  });

  describe('path safety', () => {
    it.each([
      `${BASE}/acct1/jobs/..`,
      `${BASE}/acct1/jobs/%2e%2e`,
      `${BASE}/acct1/jobs/a%2Fb`,
      `${BASE}/acct1/jobs/a%00b`,
      `${BASE}/acct1/jobs/a%0Ab`,
      `${BASE}/acct1/jobs/${'a'.repeat(257)}`,
      `${BASE}/acct1/jobs/${'%C3%A9'.repeat(129)}`,
      `${BASE}/acct1/jobs/g/%2e%2e`,
      `${BASE}/acct1/jobs/g/..%2F..%2Fetc`,
      `${BASE}/%2e%2e/jobs/g`,
    ])('refuses %s with 400 or 404', async (url) => {
      const res = await t.authed.get(url);
      expect([400, 404]).toContain(res.status);
      expect(res.body.statusCode).toBe(res.status);
    });

    it('cannot write through an encoded traversal', async () => {
      const res = await t.authed.post(`${JOBS}/..%2F..%2Fescape`).send(SEED_DUMMY_CREATE);
      expect([400, 404]).toContain(res.status);
      const res2 = await t.authed.put(`${JOBS}/g/%2e%2e`).send(SEED_DUMMY_CREATE);
      expect([400, 404]).toContain(res2.status);
      expect(readdirSync(t.dataDir)).toEqual([]);
    });

    it('names the offending segment', async () => {
      const res = await t.authed.get(`${JOBS}/g/%2e%2e`).expect(400);
      expect(res.body.message).toContain('id must be 1-256 bytes');
    });
  });

  describe('run (PATCH)', () => {
    it('queues a manual run: 202 with a run_id that names the job', async () => {
      const id = await create();
      const res = await t.authed.patch(`${JOBS}/space-xy/${id}`).expect(202);
      expect(res.body.run_id).toMatch(new RegExp(`^acct1/space-xy/${id}@manual-[0-9a-f-]{36}$`));
    });

    it('400 when the stored job names a runner the account may not use', async () => {
      const id = await create();
      const file = join(t.dataDir, 'test', 'acct1', 'space-xy', id);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      doc.details.runner = 'instanceRunner';
      writeFileSync(file, JSON.stringify(doc));
      const res = await t.authed.patch(`${JOBS}/space-xy/${id}`).expect(400);
      expect(res.body.message).toContain('job.details.runner');
    });

    it('404 for an unknown job', async () => {
      await t.authed.patch(`${JOBS}/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d`).expect(404);
    });
  });

  describe('persistence', () => {
    it('a new app instance on the same data dir serves the same jobs', async () => {
      const id = await create();
      await t.close();
      const again = await createTestApp({ dataDir: t.dataDir });
      try {
        const res = await again.authed.get(`${JOBS}/space-xy/${id}`).expect(200);
        expect(res.body.job.name).toBe('dummy-spin1234567');
        expect(res.body.tags).toEqual(SEED_DUMMY_CREATE.tags);
      } finally {
        t = again;
      }
    });
  });

  describe('swagger', () => {
    it('serves the UI and a JSON document listing every route with the token scheme', async () => {
      await t.http.get(`${BASE}/docs`).expect((res) => expect([200, 301]).toContain(res.status));
      const res = await t.http.get(`${BASE}/docs-json`).expect(200);
      const paths = res.body.paths as Record<string, Record<string, unknown>>;
      const routes = Object.entries(paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      );
      expect(routes.sort()).toEqual(
        [
          'GET /v1/minion/ping',
          'GET /v1/minion/version',
          'GET /v1/minion/metrics',
          'GET /v1/minion/health/live',
          'GET /v1/minion/health/ready',
          'GET /v1/minion/{account}/jobs',
          'GET /v1/minion/{account}/jobs/{group}',
          'POST /v1/minion/{account}/jobs/{group}',
          'DELETE /v1/minion/{account}/jobs/{group}',
          'GET /v1/minion/{account}/jobs/{group}/{id}',
          'GET /v1/minion/{account}/jobs/{group}/{id}/runs',
          'GET /v1/minion/{account}/jobs/{group}/{id}/next',
          'PUT /v1/minion/{account}/jobs/{group}/{id}',
          'DELETE /v1/minion/{account}/jobs/{group}/{id}',
          'PATCH /v1/minion/{account}/jobs/{group}/{id}',
          'POST /v1/minion/{account}/jobs/{group}/dry-run',
          'POST /v1/minion/{account}/jobs/{group}/{id}/dry-run',
          'POST /v1/minion/{account}/jobs/{group}/pause',
          'POST /v1/minion/{account}/jobs/{group}/resume',
          'POST /v1/minion/{account}/jobs/{group}/{id}/pause',
          'POST /v1/minion/{account}/jobs/{group}/{id}/resume',
          'GET /v1/minion/{account}/jobs/{group}/{id}/history',
          'GET /v1/minion/{account}/audit',
          'GET /v1/minion/{account}/calendars/{name}',
          'PUT /v1/minion/{account}/calendars/{name}',
          'GET /v1/minion/{account}/schedule',
          'GET /v1/minion/whoami',
          'GET /v1/minion/{account}/overview',
          'GET /v1/minion/{account}/job-summaries',
          'GET /v1/minion/{account}/calendars',
        ].sort(),
      );
      expect(res.body.components.securitySchemes['X-Auth-Token']).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'X-Auth-Token',
      });
      const create = paths['/v1/minion/{account}/jobs/{group}'].post as {
        responses: Record<string, unknown>;
      };
      expect(Object.keys(create.responses)).toEqual(
        expect.arrayContaining(['200', '400', '401', '403', '404', '413']),
      );
    });
  });
});
