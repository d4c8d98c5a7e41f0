import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BASE } from './support/jobs-helpers';
import { TestS3 } from './support/s3-server';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** Calendars set over the API beside jobs in S3: listed by their keys, never as jobs. */
describe('calendars in S3 (s3rver)', () => {
  let s3: TestS3;
  let t: TestApp;

  beforeAll(async () => {
    s3 = await TestS3.start();
    t = await startTestApp({
      config: { jobsRepository: { type: 's3', config: s3.options('minion') } },
    });
  });

  afterAll(async () => {
    await stopTestApp(t);
    await s3.destroy();
  });

  it('lists the calendars of an account, in name order, and nothing of another account', async () => {
    for (const name of ['year-end', 'freeze']) {
      await t.authed
        .put(`${BASE}/acct1/calendars/${name}`)
        .send({ timezone: 'UTC', dates: ['2026-12-24'] })
        .expect(200);
    }
    await t.authed
      .put(`${BASE}/acct2/calendars/other`)
      .send({ timezone: 'UTC', dates: ['2026-12-25'] })
      .expect(200);
    // An object that is not a calendar of the account's folder is left out.
    await s3.client().send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'minion/test/.calendars/acct1/nested/x.json',
        Body: '{}',
      }),
    );
    const res = await t.authed.get(`${BASE}/acct1/calendars`).expect(200);
    expect(res.body.map((c: { name: string; source: string }) => `${c.name} ${c.source}`)).toEqual([
      'freeze api',
      'year-end api',
    ]);
    expect((await t.authed.get(`${BASE}/acct1/jobs`).expect(200)).body).toEqual([]);
  });
});
