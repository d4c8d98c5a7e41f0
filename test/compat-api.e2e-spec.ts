import * as bcrypt from '@node-rs/bcrypt';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { join } from 'node:path';
import { allRuns, BASE, drain, tickAt, writeJobFile } from './support/jobs-helpers';
import { JobCache } from '../src/job-cache/job-cache.service';
import { ManualClock } from './support/manual-clock';
import { rawRequest } from './support/raw-http';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { createTestApp, TEST_TOKEN, TestApp } from './support/test-app';

/**
 * A team moving from the Go minion: its clients' habits, its stored documents and its names work
 * unchanged (issue 9, points 1, 2, 6, 7 and 9). Documents are written the way the original wrote
 * them: tabs, no `tags`, `modified_at` "".
 */
const JOBS = `${BASE}/acct1/jobs`;

/** A job document exactly as the Go service wrote it (json.MarshalIndent with a tab). */
function originalDocument(fields: Record<string, unknown>): string {
  return JSON.stringify(
    {
      account: 'acct1',
      description: 'written by the Go service',
      details: { runner: 'dummyRunner' },
      group: 'g',
      id: 'x',
      modified_at: '',
      modified_by: '',
      name: 'legacy',
      schedule_expression: '* * * ? *',
      enabled: true,
      ...fields,
    },
    null,
    '\t',
  );
}

function storeOriginal(dataDir: string, account: string, group: string, id: string, fields = {}) {
  const dir = join(dataDir, 'test', account, group);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, id), originalDocument({ account, group, id, ...fields }));
}

const JOB = {
  name: 'n',
  schedule_expression: '* * * ? *',
  enabled: true,
  details: { runner: 'dummyRunner' },
};

describe('compatibility with the Go service: clients, documents, names (e2e)', () => {
  let t: TestApp;
  const server = () => t.app.getHttpServer() as Server;

  beforeEach(async () => {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
  });

  afterEach(() => stopTestApp(t));

  describe('1. request bodies as Go decoded them', () => {
    it.each([
      ['no Content-Type', {}],
      ['text/plain', { 'Content-Type': 'text/plain' }],
      ['form-urlencoded (curl -d)', { 'Content-Type': 'application/x-www-form-urlencoded' }],
      ['application/json', { 'Content-Type': 'application/json' }],
    ])('reads a JSON body sent with %s', async (_, headers) => {
      const res = await rawRequest(
        server(),
        'POST',
        `${JOBS}/g`,
        { 'X-Auth-Token': TEST_TOKEN, ...headers },
        JSON.stringify({ job: JOB }),
      );
      expect(res.status).toBe(200);
      expect((res.json() as { job: { name: string } }).job.name).toBe('n');
    });

    it('matches keys case-insensitively and stores them under their own names', async () => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({
          Job: {
            Name: 'capitals',
            Schedule_Expression: '0 18 * * *',
            ENABLED: true,
            Details: { runner: 'dummyRunner', Custom_Key: 'kept as sent' },
            Modified_By: 'portal',
          },
          Tags: [{ Key: 'team', VALUE: 'ops' }],
        })
        .expect(200);
      const file = join(t.dataDir, 'test', 'acct1', 'g', res.body.job.id);
      const stored = JSON.parse(readFileSync(file, 'utf8'));
      expect(stored).toMatchObject({
        name: 'capitals',
        schedule_expression: '0 18 * * *',
        enabled: true,
        modified_by: 'portal',
        details: { runner: 'dummyRunner', Custom_Key: 'kept as sent' },
        tags: [{ key: 'team', value: 'ops' }],
      });
    });

    it('ignores unknown keys and never stores them', async () => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({ job: { ...JOB, color: 'red', nested: { deep: [1] } }, extra: true, next: 'x' })
        .expect(200);
      const text = readFileSync(join(t.dataDir, 'test', 'acct1', 'g', res.body.job.id), 'utf8');
      expect(text).not.toMatch(/color|nested|extra/);
    });

    it('takes back a whole GET answer on PUT (log and next included) and changes only the edited field', async () => {
      const { body: created } = await t.authed
        .post(`${JOBS}/g`)
        .send({ job: JOB, tags: [{ key: 'a', value: 'b' }] })
        .expect(200);
      const { body: got } = await t.authed.get(`${JOBS}/g/${created.job.id}`).expect(200);
      got.job.enabled = false;
      const { body: put } = await t.authed.put(`${JOBS}/g/${created.job.id}`).send(got).expect(202);
      expect(put.job).toEqual({ ...got.job, enabled: false, modified_at: put.job.modified_at });
      expect(put.tags).toEqual([{ key: 'a', value: 'b' }]);
      const text = readFileSync(join(t.dataDir, 'test', 'acct1', 'g', created.job.id), 'utf8');
      expect(text).not.toMatch(/"log"|"next"/);
    });

    it('still refuses known fields of the wrong type, naming them', async () => {
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({ Job: { ...JOB, Enabled: 'yes' } })
        .expect(400);
      expect(res.body.message).toContain('job.enabled');
    });

    it('accepts a bcrypt hash of the token made as the original clients make it (cost 10)', async () => {
      const hash = await bcrypt.hash(TEST_TOKEN, 10);
      const res = await rawRequest(
        server(),
        'POST',
        `${JOBS}/g`,
        { 'X-Auth-Token': hash },
        JSON.stringify({ job: JOB }),
      );
      expect(res.status).toBe(200);
    });
  });

  describe('2. schedules as robfig/cron v1 read them', () => {
    it('a stored "@every 1m" job fires every minute, and /next shows it', async () => {
      storeOriginal(t.dataDir, 'acct1', 'g', 'every', { schedule_expression: '@every 1m' });
      await t.close();
      t = await createTestApp({
        dataDir: t.dataDir,
        clock: new ManualClock('2026-01-05T10:00:10Z'),
      });
      for (const minute of ['10:01', '10:02', '10:03']) await tickAt(t, `2026-01-05T${minute}:00Z`);
      await drain(t);
      const runs = await allRuns(t, 'every');
      expect(runs.map((r) => r.scheduled_for)).toEqual([
        '2026-01-05T10:01:00Z',
        '2026-01-05T10:02:00Z',
        '2026-01-05T10:03:00Z',
      ]);
      const next = await t.authed.get(`${JOBS}/g/every/next?count=2`).expect(200);
      expect(next.body.next.map((n: { utc: string }) => n.utc)).toEqual([
        '2026-01-05T10:04:00Z',
        '2026-01-05T10:05:00Z',
      ]);
    });

    it('accepts @every with whole minutes and refuses other durations, naming the field', async () => {
      await t.authed
        .post(`${JOBS}/g`)
        .send({ job: { ...JOB, schedule_expression: '@every 1h30m' } })
        .expect(200);
      const res = await t.authed
        .post(`${JOBS}/g`)
        .send({ job: { ...JOB, schedule_expression: '@every 90s' } })
        .expect(400);
      expect(res.body.message).toMatch(/^job\.schedule_expression .*whole number of minutes/);
    });

    it('"0 0 */2 * 1" fires on odd days that are Mondays (both fields), not on either', async () => {
      const { body } = await t.authed
        .post(`${JOBS}/g`)
        .send({ job: { ...JOB, schedule_expression: '0 0 */2 * 1' } })
        .expect(200);
      const next = await t.authed.get(`${JOBS}/g/${body.job.id}/next?count=3`).expect(200);
      expect(next.body.next.map((n: { utc: string }) => n.utc)).toEqual([
        '2026-01-19T00:00:00Z',
        '2026-02-09T00:00:00Z',
        '2026-02-23T00:00:00Z',
      ]);
    });

    it('a stored job whose schedule cannot be used is logged, counted and listed in readiness', async () => {
      storeOriginal(t.dataDir, 'acct1', 'g', 'broken', { schedule_expression: 'every day' });
      await t.close();
      t = await createTestApp({ dataDir: t.dataDir });
      const ready = await t.http.get(`${BASE}/health/ready`).expect(200);
      expect(ready.body.info.scheduler.unrunnable).toEqual({
        count: 1,
        jobs: [expect.objectContaining({ job: 'acct1/g/broken', problem: 'schedule' })],
      });
      const metrics = await t.http.get(`${BASE}/metrics`).expect(200);
      expect(metrics.text).toMatch(/minion_jobs_unrunnable\{problem="schedule"\} 1/);
    });
  });

  describe('6. a stored job whose runner its account may not use', () => {
    beforeEach(async () => {
      // acct2 may use no runner; the original never checked, so such jobs exist.
      storeOriginal(t.dataDir, 'acct2', 'g', 'legacy', { schedule_expression: '* * * * *' });
      await t.close();
      t = await createTestApp({
        dataDir: t.dataDir,
        clock: new ManualClock('2026-01-05T10:00:10Z'),
      });
    });

    it('can be disabled with PUT and deleted', async () => {
      const { body } = await t.authed.get(`${BASE}/acct2/jobs/g/legacy`).expect(200);
      body.job.enabled = false;
      await t.authed.put(`${BASE}/acct2/jobs/g/legacy`).send(body).expect(202);
      expect(
        JSON.parse(readFileSync(join(t.dataDir, 'test', 'acct2', 'g', 'legacy'), 'utf8')).enabled,
      ).toBe(false);
      await t.authed.delete(`${BASE}/acct2/jobs/g/legacy`).expect(202);
    });

    it('cannot be given such a runner anew', async () => {
      const res = await t.authed.post(`${BASE}/acct2/jobs/g`).send({ job: JOB }).expect(400);
      expect(res.body.message).toContain('job.details.runner');
    });

    it('is reported at startup, and each scheduled run fails for good, naming runner and account', async () => {
      const ready = await t.http.get(`${BASE}/health/ready`).expect(200);
      expect(ready.body.info.scheduler.unrunnable.jobs).toEqual([
        expect.objectContaining({ job: 'acct2/g/legacy', problem: 'runner' }),
      ]);
      await tickAt(t, '2026-01-05T10:01:00Z');
      await drain(t);
      const runs = await allRuns(t, 'legacy', 'acct2', 'g');
      expect(runs).toEqual([
        expect.objectContaining({ status: 'failed', attempt: 1, will_retry: false }),
      ]);
      expect(runs[0].error).toContain('"dummyRunner" is not allowed for account "acct2"');
    });
  });

  describe('7. any name the original could store', () => {
    it.each([
      ['space@xy', 'a b', 'space@xy'],
      ['.hidden', 'id%41', '%2Ehidden'],
      ['ünïcödé', 'name:with:colons', 'ünïcödé'],
    ])('group %j and id %j work through the API and are scheduled', async (group, id, onDisk) => {
      storeOriginal(t.dataDir, 'acct1', onDisk, id.replace(/%/g, '%25'), {
        group,
        id,
        schedule_expression: '* * * * *',
      });
      await t.close();
      t = await createTestApp({
        dataDir: t.dataDir,
        clock: new ManualClock('2026-01-05T10:00:10Z'),
      });
      const [g, i] = [encodeURIComponent(group), encodeURIComponent(id)];
      expect((await t.authed.get(JOBS).expect(200)).body).toEqual([`${group}/${id}`]);
      expect((await t.authed.get(`${JOBS}/${g}`).expect(200)).body).toEqual([id]);
      const got = await t.authed.get(`${JOBS}/${g}/${i}`).expect(200);
      expect(got.body.job).toMatchObject({ group, id, name: 'legacy' });
      await tickAt(t, '2026-01-05T10:01:00Z');
      await drain(t);
      expect((await t.authed.get(`${JOBS}/${g}/${i}/runs`).expect(200)).body[0].status).toBe(
        'succeeded',
      );
      const created = await t.authed.post(`${JOBS}/${g}`).send({ job: JOB }).expect(200);
      expect(existsSync(join(t.dataDir, 'test', 'acct1', onDisk, created.body.job.id))).toBe(true);
    });

    it('a stored name the file store cannot have written is skipped, logged and counted, not hidden', async () => {
      const dir = join(t.dataDir, 'test', 'acct1', 'g');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'bad%zz'), originalDocument({}));
      writeJobFile(t, 'acct1', 'g', 'good', {});
      // Written around minion: listed from the next load of the job cache (the refresh).
      await t.app.get(JobCache).load();
      expect((await t.authed.get(`${JOBS}/g`).expect(200)).body).toEqual(['good']);
      const metrics = await t.http.get(`${BASE}/metrics`).expect(200);
      expect(metrics.text).toMatch(/minion_repository_unreadable_keys_total [1-9]/);
    });

    it('refuses only what cannot be one segment: "/", ".", "..", control characters, over 256 bytes', async () => {
      for (const bad of ['a%2Fb', '.', '..', 'a%01b', 'x'.repeat(257)]) {
        const res = await t.authed.post(`${JOBS}/${bad}`).send({ job: JOB });
        expect(res.status).toBe(400);
      }
      expect(readdirSync(t.dataDir)).toEqual([]);
    });
  });

  describe('9. small ones', () => {
    it('a wrong method on a known path is 405 with Allow, not 404', async () => {
      const res = await t.authed.post(`${JOBS}/g/some-id`).send({ job: JOB }).expect(405);
      expect(res.headers.allow).toBe('GET, PUT, DELETE, PATCH, HEAD, OPTIONS');
      expect(res.body).toMatchObject({ statusCode: 405, error: 'Method Not Allowed' });
      const ping = await t.http.post(`${BASE}/ping`).expect(405);
      expect(ping.headers.allow).toBe('GET, HEAD, OPTIONS');
      await t.authed.get(`${BASE}/no/such/route/here/at/all`).expect(404);
    });

    it('errors of text routes (DELETE) are JSON with a JSON content type', async () => {
      const res = await t.authed.delete(`${JOBS}/g/missing`).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.statusCode).toBe(404);
    });
  });
});
