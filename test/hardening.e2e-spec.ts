import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from 'node:http';
import { BASE, createJob } from './support/jobs-helpers';
import request from 'supertest';
import { hash } from '@node-rs/bcrypt';
import { rawRequest } from './support/raw-http';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import {
  createTestApp,
  SEED_DUMMY_CREATE,
  TEST_TOKEN,
  testConfig,
  TestApp,
} from './support/test-app';

const JOBS = `${BASE}/acct1/jobs`;
const JOB = SEED_DUMMY_CREATE.job;

/**
 * Defects found by generated requests (issue 10), one test each: every one of them failed before
 * its fix (a 500, a hang, a silent acceptance).
 */
describe('hardening: requests that used to crash, hang or slip through (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });

  afterEach(() => stopTestApp(t));

  describe('1. arrays where objects are expected', () => {
    it.each([
      [{ job: [] }, 'job must be an object'],
      [{ job: [[]] }, 'job must be an object'],
      [{ job: [JOB] }, 'job must be an object'],
      [{ job: JOB, tags: [[]] }, 'tags[0] must be an object'],
      [{ job: { ...JOB, details: [] } }, 'job.details'],
      [{ job: { ...JOB, details: { runner: ['dummyRunner'] } } }, 'job.details.runner'],
      [{ job: { ...JOB, name: { a: 1 } } }, 'job.name'],
      [{ job: { ...JOB, timezone: ['UTC'] } }, 'job.timezone'],
      [{ job: JOB, tags: [{ key: ['k'], value: 'v' }] }, 'tags[0].key'],
      [[JOB], 'body must be a JSON object'],
      ['"a string"', 'request body is not valid JSON'],
    ])('POST and PUT %j: 400 naming the field', async (body, message) => {
      const id = await createJob(t);
      for (const req of [t.authed.post(`${JOBS}/g`), t.authed.put(`${JOBS}/g/${id}`)]) {
        const res = await req
          .set('Content-Type', 'application/json')
          .send(typeof body === 'string' ? body : JSON.stringify(body))
          .expect(400);
        expect(res.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.any(String),
        });
        expect(res.body.message).toContain(message);
      }
    });
  });

  describe('2. deep nesting', () => {
    it.each([
      [
        '1,500 nested arrays beside a valid job',
        `{"job": ${JSON.stringify(JOB)}, "x": ${'['.repeat(1500)}${']'.repeat(1500)}}`,
      ],
      ['50,000 nested objects', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`],
      ['33 levels', `{"job": ${JSON.stringify(JOB)}, "x": ${'['.repeat(32)}${']'.repeat(32)}}`],
    ])('%s: 400 naming the body, before any transformation', async (_, body) => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.body.message).toBe('request body nests arrays and objects deeper than 32 levels');
    });

    it('32 levels are fine (the limit is the limit)', async () => {
      const body = `{"job": ${JSON.stringify(JOB)}, "x": ${'['.repeat(31)}${']'.repeat(31)}}`;
      await t.authed
        .post(`${JOBS}/g`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(200);
    });

    it('brackets inside strings do not count', async () => {
      const job = { ...JOB, description: '['.repeat(3000) + '\\"{'.repeat(100) };
      await t.authed.post(`${JOBS}/g`).send({ job }).expect(200);
    });
  });

  describe('3. creates racing a group delete (file repository)', () => {
    it('never a 500: each create survives or fails cleanly, and the delete removes what it listed', async () => {
      const group = `${JOBS}/race`;
      const statuses: number[] = [];
      for (let round = 0; round < 40; round++) {
        const before = await Promise.all([1, 2, 3].map(() => createJob(t, {}, 'acct1', 'race')));
        const results = await Promise.all([
          ...[1, 2, 3, 4].map(() => t.authed.post(group).send({ job: JOB })),
          t.authed.delete(group),
          ...[1, 2, 3].map(() => t.authed.post(group).send({ job: JOB })),
        ]);
        statuses.push(...results.map((r) => r.status));
        const left = (await t.authed.get(group).expect(200)).body as string[];
        for (const id of before) expect(left).not.toContain(id);
        const created = results.filter((r) => r.status === 200).map((r) => r.body.job.id as string);
        // Every create that answered 200 was either deleted by the delete (listed) or is there.
        for (const id of left) expect(created).toContain(id);
        await t.authed.delete(group).expect(202);
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([200, 202]));
    }, 120_000);
  });

  describe('4. authentication cannot be used to burn the CPU', () => {
    it('after 10 failures an address gets 429 with Retry-After for values not known to be valid; others are unaffected', async () => {
      await t.close();
      const config = testConfig(t.dataDir, { trustProxy: true });
      t = await createTestApp({ dataDir: t.dataDir, config });
      const from = (address: string) => (r: request.Test) => r.set('X-Forwarded-For', address);
      const attacker = from('203.0.113.7');
      for (let i = 0; i < 10; i++) {
        await attacker(t.http.get(JOBS).set('X-Auth-Token', `wrong-${i}`)).expect(403);
      }
      const blocked = await attacker(t.http.get(JOBS).set('X-Auth-Token', 'wrong')).expect(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect(blocked.body.message).toBe('too many failed authentications from this address');
      // An unknown bcrypt hash (an expensive check) waits too.
      const unknownHash = await hash(TEST_TOKEN, 4);
      await attacker(t.http.get(JOBS).set('X-Auth-Token', unknownHash)).expect(429);
      await from('198.51.100.1')(t.http.get(JOBS).set('X-Auth-Token', TEST_TOKEN)).expect(200);
      await t.http.get(`${BASE}/health/live`).set('X-Forwarded-For', '203.0.113.7').expect(200);
    });

    it('a value known to be valid always passes, even from an address that is blocked (one shared ingress address)', async () => {
      await t.close();
      // No trustProxy: behind an ingress every client has the ingress's address.
      t = await createTestApp({ dataDir: t.dataDir, config: testConfig(t.dataDir) });
      // A client of the original sends a bcrypt hash of the token: checked once, then cached.
      const goodHash = await hash(TEST_TOKEN, 4);
      await t.http.get(JOBS).set('X-Auth-Token', goodHash).expect(200);
      // One client with a stale token blocks the shared address...
      for (let i = 0; i < 10; i++) {
        await t.http.get(JOBS).set('X-Auth-Token', `stale-${i}`).expect(403);
      }
      await t.http.get(JOBS).set('X-Auth-Token', 'stale').expect(429);
      // ...but the plain token and the hash already verified still pass.
      await t.http.get(JOBS).set('X-Auth-Token', TEST_TOKEN).expect(200);
      await t.http.get(JOBS).set('X-Auth-Token', goodHash).expect(200);
      // A hash never checked before is an expensive check of an unknown value: it waits.
      await t.http
        .get(JOBS)
        .set('X-Auth-Token', await hash(TEST_TOKEN, 4))
        .expect(429);
    });

    it('a hash costlier than 12 is refused at once, unchecked', async () => {
      const started = Date.now();
      await t.http
        .get(JOBS)
        .set('X-Auth-Token', `$2b$15$${'a'.repeat(53)}`)
        .expect(403);
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('5. tags that are not objects', () => {
    it('"tags": [[]] is 400 naming tags[0], and nothing is stored', async () => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({ job: JOB, tags: [[]] })
        .expect(400);
      expect(res.body.message).toBe('tags[0] must be an object');
      expect(readdirSync(t.dataDir)).toEqual([]);
    });
  });

  describe('7. cron steps out of range', () => {
    it.each(['*/99999999999999999999 * * * *', '*/0 * * * *', '0 0 */32 * *'])(
      '%s is 400 naming job.schedule_expression',
      async (expr) => {
        const res = await t.authed
          .post(`${JOBS}/g`)
          .send({ job: { ...JOB, schedule_expression: expr } })
          .expect(400);
        expect(res.body.message).toMatch(
          /^job\.schedule_expression is not a valid cron expression: .*step/,
        );
      },
    );
  });

  describe('8. prototype keys', () => {
    it('are never stored and never pollute a prototype, at any level', async () => {
      const body =
        `{"job": {"name": "p", "schedule_expression": "@daily", "enabled": true, ` +
        `"details": {"runner": "dummyRunner"}, "__proto__": {"polluted": 1}, ` +
        `"constructor": {"prototype": {"polluted": 2}}, "prototype": {"polluted": 3}}, ` +
        `"__proto__": {"polluted": 4}, "constructor": {"prototype": {"polluted": 5}}}`;
      const res = await t.authed
        .post(`${JOBS}/g`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      const text = readFileSync(join(t.dataDir, 'test', 'acct1', 'g', res.body.job.id), 'utf8');
      expect(text).not.toMatch(/__proto__|constructor|prototype|polluted/);
    });

    it.each(['__proto__', 'constructor', 'prototype'])(
      '"%s" inside details is 400',
      async (key) => {
        const body = `{"job": {"name": "p", "schedule_expression": "@daily", "enabled": true, "details": {"runner": "dummyRunner", "${key}": "x"}}}`;
        const res = await t.authed
          .post(`${JOBS}/g`)
          .set('Content-Type', 'application/json')
          .send(body)
          .expect(400);
        expect(res.body.message).toContain(`job.details.${key}`);
      },
    );
  });

  describe('9. malformed percent-encoding in the path', () => {
    it.each([
      [`${BASE}/%zz/jobs`, 'account'],
      [`${JOBS}/%`, 'group'],
      [`${JOBS}/g/%c0%ae`, 'id'],
      [`${JOBS}/g/%E0%A4%A/runs`, 'id'],
    ])('%s is 400 naming %s', async (path, name) => {
      const res = await rawRequest(t.app.getHttpServer() as Server, 'GET', path, {
        'X-Auth-Token': TEST_TOKEN,
      });
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: `${name}: malformed percent-encoding in the path`,
      });
    });
  });

  describe('10. paging the lists', () => {
    it('limit and start_after page both lists; the next page is in a Link header; no limit means all', async () => {
      const ids = (
        await Promise.all([1, 2, 3, 4, 5].map(() => createJob(t, {}, 'acct1', 'p')))
      ).sort();
      const first = await t.authed.get(`${JOBS}/p?limit=2`).expect(200);
      expect(first.body).toEqual(ids.slice(0, 2));
      expect(first.headers.link).toBe(
        `</v1/minion/acct1/jobs/p?limit=2&start_after=${ids[1]}>; rel="next"`,
      );
      const next = first.headers.link.slice(1, first.headers.link.indexOf('>'));
      const second = await t.authed.get(next).expect(200);
      expect(second.body).toEqual(ids.slice(2, 4));
      const last = await t.authed.get(`${JOBS}/p?limit=2&start_after=${ids[3]}`).expect(200);
      expect(last.body).toEqual([ids[4]]);
      expect(last.headers.link).toBeUndefined();
      expect((await t.authed.get(`${JOBS}/p`).expect(200)).body).toEqual(ids);
      const account = await t.authed.get(`${JOBS}?limit=3`).expect(200);
      expect(account.body).toEqual(ids.slice(0, 3).map((id) => `p/${id}`));
      expect(account.headers.link).toContain(`start_after=${encodeURIComponent(`p/${ids[2]}`)}`);
    });

    it.each(['limit=0', 'limit=10001', 'limit=x'])('?%s is 400 naming limit', async (q) => {
      const res = await t.authed.get(`${JOBS}?${q}`).expect(400);
      expect(res.body.message).toContain('limit');
    });

    it('unknown query keys are ignored on every route alike', async () => {
      const id = await createJob(t);
      await t.authed.get(`${JOBS}?_=1700000000&limit=1`).expect(200);
      await t.authed.get(`${JOBS}/g?cachebuster=1`).expect(200);
      await t.authed.get(`${JOBS}/g/${id}/next?count=2&bogus=1`).expect(200);
      await t.authed.get(`${JOBS}/g/${id}/runs?x=y`).expect(200);
    });
  });

  describe('11. temp files from interrupted writes', () => {
    it('are removed at startup: only ours, only older than a minute', async () => {
      const id = await createJob(t);
      const dir = join(t.dataDir, 'test', 'acct1', 'g');
      const old = Date.now() / 1000 - 120;
      const files = {
        stale: '.0f8fad5b-d9cb-469f-a165-70867728950e.tmp',
        staleOldFormat: `.${id}.1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.tmp`,
        fresh: '.6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b.tmp',
        notOurs: '.keep-me',
      };
      for (const name of Object.values(files)) writeFileSync(join(dir, name), '{"half":');
      for (const name of [files.stale, files.staleOldFormat, files.notOurs]) {
        utimesSync(join(dir, name), old, old);
      }
      mkdirSync(join(dir, '..', 'empty-group'));
      await t.close();
      t = await createTestApp({ dataDir: t.dataDir });
      expect(readdirSync(dir).sort()).toEqual([files.fresh, files.notOurs, id].sort());
    });
  });
});
