import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MINUTE_MS } from '../src/common/clock';
import { JobsRepository } from '../src/repository/jobs.repository';
import { JobCache } from '../src/job-cache/job-cache.service';
import { allRuns, BASE, createJob, drain, tickAt, writeJobFile } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { stopTestApp } from './support/temp-test-app';
import { createTestApp, tempDir, testConfig, TestApp } from './support/test-app';

const scheduledFor = async (t: TestApp, id: string) =>
  (await allRuns(t, id)).filter((r) => r.status === 'succeeded').map((r) => r.scheduled_for);

/** Ticks every minute from `fromIso` (inclusive) for `minutes` minutes. */
async function tickMinutes(t: TestApp, fromIso: string, minutes: number): Promise<void> {
  const start = Date.parse(fromIso);
  for (let i = 0; i < minutes; i++) await tickAt(t, start + i * MINUTE_MS + 50);
}

describe('scheduler (e2e, injected clock)', () => {
  let t: TestApp;

  afterEach(() => stopTestApp(t));

  describe('due detection', () => {
    it.each([
      [
        '* * * ? *',
        undefined,
        '2026-01-05T10:00:10Z',
        3,
        ['2026-01-05T10:01:00Z', '2026-01-05T10:02:00Z', '2026-01-05T10:03:00Z'],
      ],
      ['00 18 * * *', undefined, '2026-01-05T17:57:10Z', 4, ['2026-01-05T18:00:00Z']],
      ['0 9 ? * MON', undefined, '2026-01-05T08:58:10Z', 3, ['2026-01-05T09:00:00Z']],
      ['@yearly', undefined, '2026-12-31T23:58:10Z', 3, ['2027-01-01T00:00:00Z']],
      ['@annually', undefined, '2026-12-31T23:58:10Z', 3, ['2027-01-01T00:00:00Z']],
      ['@monthly', undefined, '2026-01-31T23:58:10Z', 3, ['2026-02-01T00:00:00Z']],
      ['@weekly', undefined, '2026-01-03T23:58:10Z', 3, ['2026-01-04T00:00:00Z']],
      ['@daily', undefined, '2026-01-05T23:58:10Z', 3, ['2026-01-06T00:00:00Z']],
      ['@midnight', undefined, '2026-01-05T23:58:10Z', 3, ['2026-01-06T00:00:00Z']],
      ['@hourly', undefined, '2026-01-05T10:58:10Z', 3, ['2026-01-05T11:00:00Z']],
      ['0 9 * * *', 'Europe/Berlin', '2026-01-05T07:58:10Z', 3, ['2026-01-05T08:00:00Z']],
      ['0 9 * * *', 'Europe/Berlin', '2026-07-06T06:58:10Z', 3, ['2026-07-06T07:00:00Z']],
      // Spring forward in New York: 02:30 does not exist on 2026-03-08 and runs at 03:30 EDT (07:30Z).
      ['30 2 * * *', 'America/New_York', '2026-03-08T06:25:10Z', 70, ['2026-03-08T07:30:00Z']],
      // Fall back: 01:30 happens twice on 2026-11-01; the job runs once, at the first (05:30Z).
      ['30 1 * * *', 'America/New_York', '2026-11-01T05:25:10Z', 70, ['2026-11-01T05:30:00Z']],
    ])(
      '%s (%s) from %s fires at exactly the expected minutes',
      async (expr, tz, start, minutes, expected) => {
        t = await createTestApp({ clock: new ManualClock(start) });
        const id = await createJob(t, { schedule_expression: expr, timezone: tz });
        await tickMinutes(
          t,
          new Date(Date.parse(start) + MINUTE_MS).toISOString().slice(0, 16) + ':00Z',
          minutes,
        );
        await drain(t);
        expect(await scheduledFor(t, id)).toEqual(expected);
      },
    );
  });

  it('fires each job exactly once per matching minute over a simulated day', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-04T23:59:30Z') });
    // Expected minutes come from plain predicates, independent of the cron library.
    const jobs: [string, (d: Date) => boolean][] = [
      ['* * * ? *', () => true],
      ['*/15 * * * *', (d) => d.getUTCMinutes() % 15 === 0],
      [
        '0 9-17 * * MON-FRI',
        (d) => d.getUTCMinutes() === 0 && d.getUTCHours() >= 9 && d.getUTCHours() <= 17,
      ],
      ['5 */2 * * *', (d) => d.getUTCMinutes() === 5 && d.getUTCHours() % 2 === 0],
    ];
    const ids = [];
    for (const [expr] of jobs) ids.push(await createJob(t, { schedule_expression: expr }));
    const day = Date.parse('2026-01-05T00:00:00Z');
    for (let m = 0; m < 1440; m++) {
      await tickAt(t, day + m * MINUTE_MS + 200);
      if (m % 120 === 0) await drain(t);
    }
    await drain(t);
    for (const [i, [, matches]] of jobs.entries()) {
      const expected = [];
      for (let m = 0; m < 1440; m++) {
        const at = new Date(day + m * MINUTE_MS);
        if (matches(at)) expected.push(at.toISOString().replace('.000Z', 'Z'));
      }
      const runs = await allRuns(t, ids[i]);
      expect(runs.map((r) => r.scheduled_for)).toEqual(expected);
      expect(runs.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    }
  });

  it('never fires a disabled job, and fires it from the next minute once enabled', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    const id = await createJob(t, { enabled: false });
    await tickMinutes(t, '2026-01-05T10:01:00Z', 5);
    await drain(t);
    expect(await allRuns(t, id)).toEqual([]);
    const job = {
      name: 'job',
      schedule_expression: '* * * ? *',
      enabled: true,
      details: { runner: 'dummyRunner' },
    };
    await t.authed.put(`${BASE}/acct1/jobs/g/${id}`).send({ job }).expect(202);
    await tickAt(t, '2026-01-05T10:06:10Z');
    await drain(t);
    expect(await scheduledFor(t, id)).toEqual(['2026-01-05T10:06:00Z']);
  });

  it('a second tick in the same minute enqueues nothing', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    const id = await createJob(t);
    expect((await tickAt(t, '2026-01-05T10:01:00Z'))?.enqueued).toBe(1);
    expect(await tickAt(t, '2026-01-05T10:01:30Z')).toBeNull();
    await drain(t);
    expect(await scheduledFor(t, id)).toEqual(['2026-01-05T10:01:00Z']);
  });

  describe('catch-up', () => {
    it('runs every missed minute inside the window once, in order', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      const id = await createJob(t);
      const quarter = await createJob(t, { schedule_expression: '*/5 * * * *' });
      await tickAt(t, '2026-01-05T10:01:00Z');
      // The event loop was blocked (or the process paused) for ten minutes.
      const report = await tickAt(t, '2026-01-05T10:11:00Z');
      expect(report).toMatchObject({ enqueued: 12, missedJobs: 0 });
      expect(report?.minutes).toHaveLength(10);
      await drain(t);
      const minutes = (await scheduledFor(t, id)).map((m) => m?.slice(11, 16));
      expect(minutes).toEqual([
        '10:01',
        '10:02',
        '10:03',
        '10:04',
        '10:05',
        '10:06',
        '10:07',
        '10:08',
        '10:09',
        '10:10',
        '10:11',
      ]);
      expect((await scheduledFor(t, quarter)).map((m) => m?.slice(11, 16))).toEqual([
        '10:05',
        '10:10',
      ]);
    });

    it('records older occurrences as missed, once per job with a count, and runs only the window', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      const id = await createJob(t);
      const hourly = await createJob(t, { schedule_expression: '@hourly' });
      await tickAt(t, '2026-01-05T10:01:00Z');
      const report = await tickAt(t, '2026-01-05T12:10:00Z');
      // Window 15m: 11:55..12:10 runs (16 minutes); 10:02..11:54 (113 minutes) is missed.
      expect(report).toMatchObject({ enqueued: 16 + 1, missedJobs: 2, missedOccurrences: 113 + 1 });
      await drain(t);
      const runs = await allRuns(t, id);
      const missed = runs.filter((r) => r.status === 'missed');
      expect(missed).toHaveLength(1);
      expect(missed[0]).toMatchObject({ missed_count: 113, scheduled_for: '2026-01-05T10:02:00Z' });
      expect(missed[0].error).toContain('11:54:00Z');
      const ran = runs
        .filter((r) => r.status === 'succeeded')
        .map((r) => r.scheduled_for?.slice(11, 16));
      expect(ran[0]).toBe('10:01');
      expect(ran.slice(1)).toEqual(
        Array.from(
          { length: 16 },
          (_, i) => `${i < 5 ? '11' : '12'}:${String((55 + i) % 60).padStart(2, '0')}`,
        ),
      );
      // @hourly: 11:00 was missed (outside the window), 12:00 ran.
      const hourlyRuns = await allRuns(t, hourly);
      expect(hourlyRuns.map((r) => [r.status, r.scheduled_for])).toEqual([
        ['missed', '2026-01-05T11:00:00Z'],
        ['succeeded', '2026-01-05T12:00:00Z'],
      ]);
    });

    it('catches up after a restart from the persisted marker', async () => {
      const dataDir = tempDir();
      t = await createTestApp({ dataDir, clock: new ManualClock('2026-01-05T10:00:10Z') });
      const id = await createJob(t);
      await tickAt(t, '2026-01-05T10:01:00Z');
      await drain(t);
      await t.close();
      t = await createTestApp({ dataDir, clock: new ManualClock('2026-01-05T10:05:00Z') });
      const report = await t.scheduler.tick();
      expect(report?.minutes).toEqual([
        '2026-01-05T10:02:00Z',
        '2026-01-05T10:03:00Z',
        '2026-01-05T10:04:00Z',
        '2026-01-05T10:05:00Z',
      ]);
      await drain(t);
      expect((await scheduledFor(t, id)).map((m) => m?.slice(11, 16))).toEqual([
        '10:01',
        '10:02',
        '10:03',
        '10:04',
        '10:05',
      ]);
    });
  });

  describe('job cache', () => {
    it('is updated at once by API writes (create, update, delete)', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      const cache = t.app.get(JobCache);
      const id = await createJob(t, { schedule_expression: '30 * * * *' });
      const key = `acct1/g/${id}`;
      expect(cache.get(key)).toBeDefined();
      expect(t.scheduler.nextIndexed(key)).toBe(Date.parse('2026-01-05T10:30:00Z'));
      const job = {
        name: 'job',
        schedule_expression: '45 * * * *',
        enabled: true,
        details: { runner: 'dummyRunner' },
      };
      await t.authed.put(`${BASE}/acct1/jobs/g/${id}`).send({ job }).expect(202);
      expect(t.scheduler.nextIndexed(key)).toBe(Date.parse('2026-01-05T10:45:00Z'));
      await t.authed.delete(`${BASE}/acct1/jobs/g/${id}`).expect(202);
      expect(cache.get(key)).toBeUndefined();
      expect(t.scheduler.nextIndexed(key)).toBeUndefined();
      const other = await createJob(t);
      await t.authed.delete(`${BASE}/acct1/jobs/g`).expect(202);
      expect(cache.get(`acct1/g/${other}`)).toBeUndefined();
    });

    it('picks up jobs written by someone else at the next refresh', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      writeJobFile(t, 'acct1', 'g', 'external-1', {});
      expect(t.app.get(JobCache).get('acct1/g/external-1')).toBeUndefined();
      await t.app.get(JobCache).load();
      expect(t.app.get(JobCache).get('acct1/g/external-1')).toBeDefined();
      await tickAt(t, '2026-01-05T10:01:00Z');
      await drain(t);
      expect(await scheduledFor(t, 'external-1')).toEqual(['2026-01-05T10:01:00Z']);
    });

    it('keeps the last good cache when a refresh fails, and counts the failure', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      await createJob(t);
      const cache = t.app.get(JobCache);
      const repo = t.app.get(JobsRepository);
      const spy = jest
        .spyOn(repo, 'listAccount')
        .mockRejectedValueOnce(new Error('bucket unreachable'));
      expect(await cache.load()).toBe(false);
      expect(cache.size).toBe(1);
      expect(cache.lastLoadError).toContain('bucket unreachable');
      spy.mockRestore();
      const metrics = await t.http.get(`${BASE}/metrics`).expect(200);
      expect(metrics.text).toMatch(/minion_cache_load_failures_total [1-9]/);
      expect(metrics.text).toMatch(/minion_cache_jobs 1/);
    });

    it('reads a store that answers one job at a time (S3) with bounded parallelism', async () => {
      const dataDir = tempDir();
      const config = testConfig(dataDir, { scheduler: { loadConcurrency: 4 } });
      t = await createTestApp({ dataDir, config });
      for (let i = 0; i < 40; i++) writeJobFile(t, 'acct1', 'g', `j${i}`, {});
      const repo = t.app.get(JobsRepository);
      // The default load path (S3's): one `load` per job. (The file store reads a directory at a
      // time, synchronously: nothing in flight to bound.)
      repo.loadKeys = JobsRepository.prototype.loadKeys.bind(repo);
      const original = repo.load.bind(repo);
      let inFlight = 0;
      let peak = 0;
      jest.spyOn(repo, 'load').mockImplementation(async (key) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        try {
          return await original(key);
        } finally {
          inFlight--;
        }
      });
      expect(await t.app.get(JobCache).load()).toBe(true);
      expect(t.app.get(JobCache).size).toBe(40);
      expect(peak).toBe(4);
    });

    it('is ready while the first load is in flight: lists from the repository, /schedule 503', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const dataDir = tempDir();
      const dir = join(dataDir, 'test', 'acct1', 'g');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'on-disk'),
        JSON.stringify({ name: 'n', schedule_expression: '0 3 * * *', enabled: true }),
      );
      t = await createTestApp({
        dataDir,
        awaitScheduler: false,
        customize: (b) => b,
        beforeInit: (app) => {
          const repo = app.get(JobsRepository);
          const original = repo.listAccount.bind(repo);
          let first = true;
          // The cache load's listing (the first) waits; the API's own listings do not.
          jest.spyOn(repo, 'listAccount').mockImplementation(async (a, page) => {
            if (first) {
              first = false;
              await gate;
            }
            return original(a, page);
          });
        },
      });
      const loading = await t.http.get(`${BASE}/health/ready`).expect(200);
      expect(loading.body.info.scheduler).toMatchObject({ status: 'up', loaded: false });
      expect((await t.authed.get(`${BASE}/acct1/jobs`).expect(200)).body).toEqual(['g/on-disk']);
      const schedule = await t.authed.get(`${BASE}/acct1/schedule`).expect(503);
      expect(schedule.headers['retry-after']).toBeDefined();
      expect(schedule.body.message).toMatch(/job cache is still loading/);
      release();
      await t.scheduler.ready();
      const ready = await t.http.get(`${BASE}/health/ready`).expect(200);
      expect(ready.body.info.scheduler).toMatchObject({ status: 'up', loaded: true, jobs: 1 });
      await t.authed.get(`${BASE}/acct1/schedule`).expect(200);
    });
  });

  describe('GET .../next', () => {
    it('lists fire times in UTC and in the job zone, flagging the DST gap', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-03-06T12:00:00Z') });
      const id = await createJob(t, {
        schedule_expression: '30 2 * * *',
        timezone: 'America/New_York',
      });
      const res = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/next?count=3`).expect(200);
      expect(res.body).toMatchObject({
        timezone: 'America/New_York',
        schedule_expression: '30 2 * * *',
        enabled: true,
      });
      expect(res.body.next).toEqual([
        { utc: '2026-03-07T07:30:00Z', local: '2026-03-07T02:30:00-05:00', dst: null },
        {
          utc: '2026-03-08T07:30:00Z',
          local: '2026-03-08T03:30:00-04:00',
          dst: 'gap',
          note: '02:30 does not exist on this day (clocks go forward); minion runs at 03:30 local instead',
        },
        { utc: '2026-03-09T06:30:00Z', local: '2026-03-09T02:30:00-04:00', dst: null },
      ]);
      const get = await t.authed.get(`${BASE}/acct1/jobs/g/${id}`).expect(200);
      expect(get.body.next).toBe('2026-03-07T07:30:00Z');
      expect(get.body.job.timezone).toBe('America/New_York');
    });

    it('defaults to 5 in UTC and validates count', async () => {
      t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
      const id = await createJob(t, { schedule_expression: '0 * * * *' });
      const res = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/next`).expect(200);
      expect(res.body.timezone).toBe('UTC');
      expect(res.body.next.map((n: { utc: string }) => n.utc.slice(11, 16))).toEqual([
        '11:00',
        '12:00',
        '13:00',
        '14:00',
        '15:00',
      ]);
      for (const bad of ['0', '101', 'many']) {
        const r = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/next?count=${bad}`).expect(400);
        expect(r.body.message).toContain('count');
      }
      await t.authed.get(`${BASE}/acct1/jobs/g/missing/next`).expect(404);
    });

    it('refuses an unknown time zone at create time', async () => {
      t = await createTestApp();
      const job = {
        name: 'j',
        schedule_expression: '* * * * *',
        enabled: true,
        details: { runner: 'dummyRunner' },
        timezone: 'Mars/Base',
      };
      const res = await t.authed.post(`${BASE}/acct1/jobs/g`).send({ job }).expect(400);
      expect(res.body.message).toContain('job.timezone');
    });
  });
});
