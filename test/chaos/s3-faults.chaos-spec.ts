/**
 * S3 answering 503 SlowDown, then hanging, for a while (docs/faults-storage.md): minion from
 * dist/main.js with its S3 jobs repository behind a fault-injecting proxy in front of s3rver.
 * Shown: every write answers 503 with Retry-After and a JSON body naming the cause, within the
 * configured timeout; nothing partial is left in S3; the scheduler keeps running every job from
 * its cache through the outage (run records read back afterwards: each minute of the outage ran
 * once per job); readiness fails during the outage and recovers by itself.
 *
 * Short form (CHAOS_SHORT=1): the outage lasts at least 40 s and until one minute boundary has
 * passed (at most about 75 s); full form: at least two and a half minutes (two or three
 * boundaries). Minutes are real: the built app has no injected clock.
 */
import { ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltApp, BUILT_MAIN, startBuiltApp, whenReady } from '../support/built-app';
import { TestS3 } from '../support/s3-server';
import { S3FaultProxy } from './support/s3-fault-proxy';
import {
  Answer,
  call,
  CHAOS_SHORT,
  CHAOS_TOKEN,
  printCounts,
  waitUntil,
} from './support/storage-chaos-app';

const MINUTE = 60_000;
/** jobsRepository.config.timeout of the scenario: a write answers within it (plus the app's own time). */
const S3_TIMEOUT_MS = 3000;
/** Bound asserted on every write's answer during the outage: the timeout, a read before it, slack. */
const WRITE_BOUND_MS = 2 * S3_TIMEOUT_MS + 4000;
const JOBS = 3;
const job = (name: string) => ({
  job: {
    name,
    schedule_expression: '* * * * *',
    enabled: true,
    details: { runner: 'dummyRunner' },
  },
});

describe('S3 503 SlowDown and hanging (chaos)', () => {
  let s3: TestS3;
  let proxy: S3FaultProxy;
  let app: BuiltApp;
  let dataDir: string;

  beforeAll(async () => {
    s3 = await TestS3.start();
    proxy = await S3FaultProxy.start(s3.endpoint);
    dataDir = mkdtempSync(join(tmpdir(), 'minion-chaos-s3-'));
    app = await startBuiltApp(
      BUILT_MAIN,
      {
        token: CHAOS_TOKEN,
        accounts: { acct: { runners: ['dummyRunner'] } },
        jobRunners: { dummyRunner: { type: 'dummy' } },
        jobsRepository: {
          type: 's3',
          refreshInterval: '5s',
          config: { ...s3.options('chaos'), endpoint: proxy.endpoint, timeout: '3s' },
        },
      },
      { dataDir, org: 'chaos' },
    );
    await whenReady(app, 120_000);
  });

  afterAll(async () => {
    await app?.stop();
    await proxy?.stop();
    await s3?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Every object under the org's jobs, parsed: a partial or torn job would fail here. */
  async function storedJobs(): Promise<Record<string, unknown>[]> {
    const client = s3.client();
    const list = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'chaos/chaos/acct/' }),
    );
    const docs: Record<string, unknown>[] = [];
    for (const { Key } of list.Contents ?? []) {
      const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }));
      docs.push(JSON.parse((await res.Body?.transformToString()) ?? '') as Record<string, unknown>);
    }
    return docs;
  }

  function expectUnavailable(what: string, answer: Answer, cause: RegExp): void {
    const body = answer.body as { statusCode?: number; message?: string };
    expect({ what, status: answer.status }).toEqual({ what, status: 503 });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(body.statusCode).toBe(503);
    expect(body.message).toMatch(cause);
    expect(JSON.stringify(body)).not.toContain('S3RVER');
    expect(JSON.stringify(body)).not.toContain(CHAOS_TOKEN);
    expect(answer.ms).toBeLessThan(WRITE_BOUND_MS);
  }

  it('writes answer 503 + Retry-After, nothing partial is stored, the scheduler runs from its cache, and all recovers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const created = await call(app, 'POST', '/acct/jobs/g', job(`job-${i}`));
      expect(created.status).toBe(200);
      ids.push((created.body as { job: { id: string } }).job.id);
    }
    const before = await storedJobs();
    expect(before).toHaveLength(JOBS);

    // The outage: SlowDown first, then S3 hanging; it lasts past a minute boundary (short form).
    const outageStart = Date.now();
    const firstMinute = Math.ceil((outageStart + 1000) / MINUTE) * MINUTE;
    const outageEnd = Math.max(
      firstMinute + 15_000,
      outageStart + (CHAOS_SHORT ? 40_000 : 150_000),
    );
    proxy.fault({ mode: 'slowdown', retryAfterSeconds: 2 });
    const writes: { what: string; status: number; retryAfter: string | null; ms: number }[] = [];
    const attempt = async (what: string, answer: Promise<Answer>, cause: RegExp) => {
      const a = await answer;
      writes.push({ what, status: a.status, retryAfter: a.headers.get('retry-after'), ms: a.ms });
      expectUnavailable(what, a, cause);
    };
    const full = (name: string) => ({ job: { ...job(name).job } });
    const slow = /S3 bucket minion-test is throttling requests \(SlowDown\)/;
    await attempt('create', call(app, 'POST', '/acct/jobs/g', job('refused')), slow);
    await attempt('update', call(app, 'PUT', `/acct/jobs/g/${ids[0]}`, full('renamed')), slow);
    await attempt('delete', call(app, 'DELETE', `/acct/jobs/g/${ids[1]}`), slow);
    await attempt(
      'pause',
      call(app, 'POST', `/acct/jobs/g/${ids[2]}/pause`, { reason: 'chaos' }),
      slow,
    );
    await attempt(
      'pause group',
      call(app, 'POST', '/acct/jobs/g/pause', { reason: 'chaos' }),
      slow,
    );
    await attempt('delete group', call(app, 'DELETE', '/acct/jobs/g'), slow);
    const ready = await call(app, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.stringify(ready.body)).toMatch(/repository/);

    proxy.fault({ mode: 'hang' });
    const hung = /did not answer in time|throttling requests/;
    await attempt('create (hanging)', call(app, 'POST', '/acct/jobs/g', job('hung')), hung);
    await attempt('update (hanging)', call(app, 'PUT', `/acct/jobs/g/${ids[0]}`, full('x')), hung);

    // The cache refresh (every 5 s) fails meanwhile and keeps the last good cache.
    await waitUntil(
      'a failed cache refresh shown in readiness',
      async () =>
        /cannot be reached|did not answer|throttling/.test(
          JSON.stringify((await call(app, 'GET', '/health/ready')).body),
        ),
      30_000,
      1000,
    );
    // Alternate SlowDown and hanging until the outage has covered its minute boundaries.
    let round = 0;
    while (Date.now() < outageEnd) {
      proxy.fault(
        round++ % 2 === 0 ? { mode: 'slowdown', retryAfterSeconds: 2 } : { mode: 'hang' },
      );
      await attempt(
        `create #${round}`,
        call(app, 'POST', '/acct/jobs/g', job(`during-${round}`)),
        /throttling requests|did not answer in time/,
      );
      await new Promise((r) => setTimeout(r, Math.min(5000, Math.max(0, outageEnd - Date.now()))));
    }
    proxy.heal();
    const healedAt = Date.now();
    const recoveryMs = await whenReady(app, 60_000);

    // Nothing partial: exactly the jobs created before, each whole and unchanged.
    const after = await storedJobs();
    expect(after).toEqual(before);

    // The scheduler ran every job at every minute of the outage, from its cache, once.
    const due = [];
    for (let m = firstMinute; m < healedAt - 5000; m += MINUTE) due.push(m);
    expect(due.length).toBeGreaterThanOrEqual(1);
    let ran = 0;
    let duplicated = 0;
    let missed = 0;
    const actions: number[] = [];
    for (const id of ids) {
      const runs = await call(app, 'GET', `/acct/jobs/g/${id}/runs?limit=100`);
      expect(runs.status).toBe(200);
      const records = runs.body as { scheduled_for: string | null; status: string }[];
      for (const minute of due) {
        const at = new Date(minute).toISOString().replace('.000Z', 'Z');
        const done = records.filter((r) => r.scheduled_for === at && r.status === 'succeeded');
        actions.push(done.length);
        if (done.length === 0) missed++;
        else ran++;
        if (done.length > 1) duplicated += done.length - 1;
      }
    }
    printCounts('S3 503 SlowDown / hanging', {
      outageSeconds: Math.round((healedAt - outageStart) / 1000),
      slowdownsAnswered: proxy.counts.slowdowns,
      requestsHung: proxy.counts.hung,
      writesDuringOutage: writes.length,
      writeStatuses: [...new Set(writes.map((w) => w.status))],
      retryAfter: [...new Set(writes.map((w) => w.retryAfter))],
      slowestWriteMs: Math.max(...writes.map((w) => w.ms)),
      jobsInS3Before: before.length,
      jobsInS3After: after.length,
      occurrencesDue: due.length * ids.length,
      run: ran,
      duplicated,
      missed,
      actionsPerOccurrence: [...new Set(actions)],
      readyAgainAfterHealMs: recoveryMs,
    });
    expect({ missed, duplicated }).toEqual({ missed: 0, duplicated: 0 });
    expect(ran).toBe(due.length * ids.length);

    // Writes work again.
    const again = await call(app, 'PUT', `/acct/jobs/g/${ids[0]}`, full('renamed'));
    expect(again.status).toBe(202);
  });

  it('a create stored by S3 whose answer never came: 503, and its retry with the same Idempotency-Key answers that job, never a second one', async () => {
    const before = await storedJobs();
    // S3 takes the PUT (and the SDK's retry of it) but the answers are lost.
    proxy.fault({ mode: 'hang', forward: true }, { match: (method) => method === 'PUT', times: 2 });
    const key = { 'Idempotency-Key': 'chaos-landed-1' };
    const lost = await call(app, 'POST', '/acct/jobs/g', job('landed'), key);
    expectUnavailable('create (answer lost)', lost, /did not answer in time/);
    proxy.heal();
    const stored = await storedJobs();
    expect(stored).toHaveLength(before.length + 1);
    const landed = stored.find((d) => d.name === 'landed') as { id: string };
    const retried = await call(app, 'POST', '/acct/jobs/g', job('landed'), key);
    expect(retried.status).toBe(200);
    expect((retried.body as { job: { id: string } }).job.id).toBe(landed.id);
    const after = await storedJobs();
    printCounts('S3 write whose answer was lost', {
      firstAnswer: lost.status,
      retryAnswer: retried.status,
      jobsNamedLanded: after.filter((d) => d.name === 'landed').length,
    });
    expect(after.filter((d) => d.name === 'landed')).toHaveLength(1);
    expect(after).toHaveLength(before.length + 1);
    // The job is whole and scheduled like any other.
    expect(after.find((d) => d.name === 'landed')).toMatchObject({
      schedule_expression: '* * * * *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    });
  });
});
