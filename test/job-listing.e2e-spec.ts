import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { JobCache } from '../src/job-cache/job-cache.service';
import { JobsRepository } from '../src/repository/jobs.repository';
import { BASE, createJob, writeJobFile } from './support/jobs-helpers';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { createTestApp, TEST_TOKEN, TestApp } from './support/test-app';

const JOBS = `${BASE}/acct1/jobs`;

/**
 * The list routes answer from the job cache's listing once it has loaded (not from the
 * repository): every write made through the API is in it before the write's answer.
 */
describe('job listing from the cache (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });

  afterEach(() => stopTestApp(t));

  const list = async (url = JOBS) => (await t.authed.get(url).expect(200)).body as string[];

  it('lists without reading the repository, and shows each write at once', async () => {
    const repo = t.app.get(JobsRepository);
    const listAccount = jest.spyOn(repo, 'listAccount');
    const listGroup = jest.spyOn(repo, 'listGroup');

    const a = await createJob(t, {}, 'acct1', 'g');
    const b = await createJob(t, { enabled: false }, 'acct1', 'g');
    const c = await createJob(t, {}, 'acct1', 'h');
    expect(await list()).toEqual([`g/${a}`, `g/${b}`, `h/${c}`].sort());
    expect(await list(`${JOBS}/g`)).toEqual([a, b].sort());
    expect(await list(`${JOBS}?limit=1`)).toEqual([[`g/${a}`, `g/${b}`].sort()[0]]);

    await t.authed
      .put(`${JOBS}/g/${a}`)
      .send({
        job: {
          name: 'renamed',
          schedule_expression: '0 1 * * *',
          enabled: false,
          details: { runner: 'dummyRunner' },
        },
      })
      .expect(202);
    expect(await list()).toContain(`g/${a}`);
    await t.authed.delete(`${JOBS}/g/${a}`).expect(202);
    expect(await list()).toEqual([`g/${b}`, `h/${c}`]);
    await t.authed.delete(`${JOBS}/h`).expect(202);
    expect(await list()).toEqual([`g/${b}`]);
    expect(await list(`${JOBS}/h`)).toEqual([]);

    expect(listAccount).not.toHaveBeenCalled();
    expect(listGroup).not.toHaveBeenCalled();
  });

  it('answers the cached listing with the headers and bytes of the listing read from the repository', async () => {
    const a = await createJob(t, {}, 'acct1', 'g');
    const b = await createJob(t, {}, 'acct1', 'h');
    const cached = await t.authed.get(JOBS).expect(200);
    // The same listing, not from the cache: a filter that keeps every job reads the repository.
    const read = await t.authed.get(`${JOBS}?enabled=true`).expect(200);
    expect(cached.text).toBe(JSON.stringify([`g/${a}`, `h/${b}`].sort()));
    expect(cached.text).toBe(read.text);
    for (const header of ['content-type', 'content-length', 'access-control-allow-origin']) {
      expect(cached.headers[header]).toBe(read.headers[header]);
    }
    expect(cached.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(cached.headers.etag).toBeUndefined();
    // Kept encoded until the next write, which changes it before its answer.
    const c = await createJob(t, {}, 'acct1', 'g');
    expect(await list()).toEqual([`g/${a}`, `g/${c}`, `h/${b}`].sort());
    const head = await t.http.head(JOBS).set('X-Auth-Token', TEST_TOKEN).expect(200);
    expect(head.headers['content-length']).toBe(
      String(Buffer.byteLength(JSON.stringify([`g/${a}`, `g/${c}`, `h/${b}`].sort()))),
    );
  });

  it('a clean stop checkpoints the write journal: no journal is left to replay', async () => {
    await createJob(t, {}, 'acct1', 'g');
    const org = join(t.dataDir, t.config.org);
    expect(readdirSync(org).some((n) => n.startsWith('.journal-'))).toBe(true);
    await t.close();
    expect(readdirSync(org).filter((n) => n.startsWith('.journal-'))).toEqual([]);
    t = await createTestApp({ dataDir: t.dataDir });
    expect(await list()).toHaveLength(1);
  });

  it('a filtered list still reads the repository (the cache holds only enabled documents)', async () => {
    const on = await createJob(t, {}, 'acct1', 'g');
    const off = await createJob(t, { enabled: false }, 'acct1', 'g');
    expect(await list(`${JOBS}?enabled=false`)).toEqual([`g/${off}`]);
    expect(await list(`${JOBS}/g?enabled=true`)).toEqual([on]);
  });

  it('a job written around minion shows after the next load (the refresh)', async () => {
    writeJobFile(t, 'acct1', 'g', 'external', {});
    await t.app.get(JobCache).load();
    expect(await list()).toEqual(['g/external']);
  });

  it('keeps a write made while a load was in flight', async () => {
    const before = await createJob(t, {}, 'acct1', 'g');
    const repo = t.app.get(JobsRepository);
    const original = repo.listAccount.bind(repo);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let listed!: () => void;
    const hasListed = new Promise<void>((r) => (listed = r));
    // The load lists what is stored now, then waits before reading: the writes below are newer.
    jest.spyOn(repo, 'listAccount').mockImplementation(async (a, page) => {
      const entries = await original(a, page);
      listed();
      await gate;
      return entries;
    });
    const loading = t.app.get(JobCache).load();
    await hasListed;
    const during = await createJob(t, {}, 'acct1', 'g');
    await t.authed.delete(`${JOBS}/g/${before}`).expect(202);
    release();
    expect(await loading).toBe(true);
    expect(await list()).toEqual([`g/${during}`]);
  });
});
