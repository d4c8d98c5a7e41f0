import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JobsRepository } from '../src/repository/jobs.repository';
import { JobCache } from '../src/job-cache/job-cache.service';
import { allRuns, drain, tickAt } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { TestS3 } from './support/s3-server';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const BASE = '/v1/minion/spinup/jobs';
const FIXTURE = join(__dirname, 'fixtures', 'original-bucket');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The fields and types the Go service's job struct reads (it ignores any other key). */
function readableByOriginal(doc: Record<string, unknown>): void {
  for (const key of [
    'account',
    'description',
    'group',
    'id',
    'modified_at',
    'modified_by',
    'name',
    'schedule_expression',
  ]) {
    expect(typeof doc[key]).toBe('string');
  }
  expect(typeof doc.enabled).toBe('boolean');
  expect(Object.values(doc.details as object).every((v) => typeof v === 'string')).toBe(true);
  expect(doc.modified_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
}

describe('S3 jobs repository through the API (s3rver)', () => {
  let s3: TestS3;
  let t: TestApp;

  beforeEach(async () => {
    s3 = await TestS3.start();
    const client = s3.client();
    for (const path of files(FIXTURE)) {
      await client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: relative(FIXTURE, path),
          Body: readFileSync(path),
          ContentType: 'application/json',
        }),
      );
    }
    t = await startTestApp({
      clock: new ManualClock('2026-01-05T10:00:10Z'),
      config: {
        org: 'acme',
        accounts: { spinup: { runners: ['dummyRunner', 'instanceRunner', 'databaseRunner'] } },
        jobRunners: {
          dummyRunner: { type: 'dummy' },
          instanceRunner: { type: 'instance' },
          databaseRunner: { type: 'database' },
        },
        jobsRepository: { type: 's3', refreshInterval: '1m', config: s3.options('minion') },
      },
    });
  });

  afterEach(async () => {
    await stopTestApp(t);
    await s3.destroy();
  });

  it('lists, serves and schedules a bucket written by the original service, unchanged', async () => {
    expect((await t.authed.get(BASE).expect(200)).body).toEqual([
      'space-xy/6bcfa79f-615e-470d-97c1-687f3357497d',
      'space-xy/7cf7433f-f6c2-496e-8fe9-ed4776d130c1',
      'test_rds/11e7b876-7a10-4c3e-93a7-e77eb3c68b58',
    ]);
    expect((await t.authed.get(`${BASE}/test_rds`).expect(200)).body).toEqual([
      '11e7b876-7a10-4c3e-93a7-e77eb3c68b58',
    ]);
    const job = await t.authed
      .get(`${BASE}/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d`)
      .expect(200);
    expect(job.body.job).toMatchObject({
      description: 'Do some dumb thing to my server <now> & then',
      enabled: true,
      modified_at: '2020-02-27T16:22:09Z',
    });
    expect(job.body.tags).toEqual([]);
    // Scheduled from the cache: the every-minute job and the */5 database job (the disabled one never).
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    expect(
      (await allRuns(t, '6bcfa79f-615e-470d-97c1-687f3357497d', 'spinup', 'space-xy')).map(
        (r) => r.status,
      ),
    ).toEqual(['succeeded']);
    expect(t.scheduler.nextIndexed('spinup/test_rds/11e7b876-7a10-4c3e-93a7-e77eb3c68b58')).toBe(
      Date.parse('2026-01-05T10:05:00Z'),
    );
    expect(
      t.scheduler.nextIndexed('spinup/space-xy/7cf7433f-f6c2-496e-8fe9-ed4776d130c1'),
    ).toBeUndefined();
  });

  it('writes documents the original service can read (its keys and types; tags are an extra key)', async () => {
    const res = await t.authed
      .post(`${BASE}/space-ab`)
      .send({
        job: {
          name: 'n',
          schedule_expression: '@daily',
          enabled: true,
          details: { runner: 'dummyRunner' },
        },
        tags: [{ key: 'k', value: 'v' }],
      })
      .expect(200);
    const object = await s3.client().send(
      new GetObjectCommand({
        Bucket: s3.bucket,
        Key: `minion/acme/spinup/space-ab/${res.body.job.id}`,
      }),
    );
    expect(object.ContentType).toBe('application/json');
    const doc = JSON.parse(await object.Body!.transformToString());
    readableByOriginal(doc);
    expect(Object.keys(doc)).toEqual([
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
  });

  it('update, delete and group delete work on the original documents', async () => {
    const id = '6bcfa79f-615e-470d-97c1-687f3357497d';
    const job = {
      name: 'renamed',
      schedule_expression: '0 * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    await t.authed.put(`${BASE}/space-xy/${id}`).send({ job }).expect(202);
    expect((await t.authed.get(`${BASE}/space-xy/${id}`).expect(200)).body.job.name).toBe(
      'renamed',
    );
    await t.authed.delete(`${BASE}/space-xy/${id}`).expect(202);
    await t.authed.get(`${BASE}/space-xy/${id}`).expect(404);
    await t.authed.delete(`${BASE}/test_rds`).expect(202);
    expect((await t.authed.get(BASE).expect(200)).body).toEqual([
      'space-xy/7cf7433f-f6c2-496e-8fe9-ed4776d130c1',
    ]);
  });

  it('concurrent updates: one wins (202), the others read the same version and get 409', async () => {
    const id = '6bcfa79f-615e-470d-97c1-687f3357497d';
    // A barrier: all three requests read the job before any of them writes.
    const repo = t.app.get(JobsRepository);
    const original = repo.get.bind(repo);
    let arrived = 0;
    let open!: () => void;
    const allRead = new Promise<void>((r) => (open = r));
    jest.spyOn(repo, 'get').mockImplementation(async (key) => {
      const stored = await original(key);
      if (++arrived === 3) open();
      await allRead;
      return stored;
    });
    const job = (name: string) => ({
      job: {
        name,
        schedule_expression: '0 * * * *',
        enabled: true,
        details: { runner: 'dummyRunner' },
      },
    });
    const results = await Promise.all(
      ['a', 'b', 'c'].map((n) => t.authed.put(`${BASE}/space-xy/${id}`).send(job(n))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([202, 409, 409]);
    const winner = results.find((r) => r.status === 202)!.body.job.name;
    expect(results.find((r) => r.status === 409)!.body.message).toContain('modified concurrently');
    jest.restoreAllMocks();
    expect((await t.authed.get(`${BASE}/space-xy/${id}`).expect(200)).body.job.name).toBe(winner);
  });

  it('S3 down: the API answers 503 with Retry-After, readiness fails, the scheduler keeps running on its cache', async () => {
    await s3.stop();
    const res = await t.authed
      .get(`${BASE}/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d`)
      .expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.message).toContain('S3 bucket minion-test cannot be reached');
    const write = await t.authed
      .post(`${BASE}/g`)
      .send({
        job: {
          name: 'n',
          schedule_expression: '@daily',
          enabled: true,
          details: { runner: 'dummyRunner' },
        },
      })
      .expect(503);
    expect(write.body.statusCode).toBe(503);
    const ready = await t.http.get('/v1/minion/health/ready').expect(503);
    expect(ready.body.message).toContain('repository');
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    expect(
      (await allRuns(t, '6bcfa79f-615e-470d-97c1-687f3357497d', 'spinup', 'space-xy')).map(
        (r) => r.status,
      ),
    ).toEqual(['succeeded']);
    // A refresh while S3 is down keeps the cache.
    expect(await t.app.get(JobCache).load()).toBe(false);
    expect(t.app.get(JobCache).size).toBe(2);
  });
});
