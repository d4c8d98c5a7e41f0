import { SqliteJobLog } from '../src/job-log/sqlite-job-log';
import { JobCache } from '../src/job-cache/job-cache.service';
import { JobQueue } from '../src/coordination/job-queue';
import { allRuns, BASE, createJob, drain, tickAt, writeJobFile } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { stopTestApp } from './support/temp-test-app';
import { createTestApp, removeDir, tempDir, testConfig, TestApp } from './support/test-app';
import { ScriptedRunner } from './support/test-runners';

const scripted = (behavior: string) => ({ details: { runner: 'scriptedRunner', behavior } });

describe('executor (e2e)', () => {
  let t: TestApp;

  beforeEach(() => ScriptedRunner.reset());

  afterEach(async () => {
    ScriptedRunner.release();
    await stopTestApp(t);
  });

  async function runNow(id: string): Promise<string> {
    const res = await t.authed.patch(`${BASE}/acct1/jobs/g/${id}`).expect(202);
    return res.body.run_id;
  }

  it('runs a manual occurrence and records it under its run_id', async () => {
    t = await createTestApp();
    const id = await createJob(t);
    const runId = await runNow(id);
    await drain(t);
    const res = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/runs`).expect(200);
    expect(res.body).toEqual([
      expect.objectContaining({
        run_id: runId,
        trigger: 'manual',
        scheduled_for: null,
        attempt: 1,
        status: 'succeeded',
        runner: 'dummyRunner',
        output: 'Hello, acct1!',
      }),
    ]);
    for (const field of ['started_at', 'finished_at'])
      expect(res.body[0][field]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(typeof res.body[0].duration_ms).toBe('number');
    const job = await t.authed.get(`${BASE}/acct1/jobs/g/${id}`).expect(200);
    expect(job.body.log).toMatchObject({
      type: 'file',
      runs: 1,
      last_run: { status: 'succeeded', run_id: runId },
    });
    expect(job.body.log.bytes).toBeGreaterThan(0);
  });

  it('retries a failed attempt, then succeeds', async () => {
    t = await createTestApp();
    const id = await createJob(t, scripted('fail-once'));
    await runNow(id);
    await drain(t);
    const runs = await allRuns(t, id);
    expect(runs.map((r) => [r.attempt, r.status, r.will_retry ?? null])).toEqual([
      [1, 'failed', true],
      [2, 'succeeded', null],
    ]);
    expect(runs[0].error).toBe('throttled, try again');
    expect(runs[1].output).toBe('recovered');
  });

  it('gives up after the configured attempts (3 by default)', async () => {
    t = await createTestApp();
    const id = await createJob(t, scripted('fail-always'));
    await runNow(id);
    await drain(t);
    const runs = await allRuns(t, id);
    expect(runs.map((r) => [r.attempt, r.status, r.will_retry])).toEqual([
      [1, 'failed', true],
      [2, 'failed', true],
      [3, 'failed', false],
    ]);
    expect((await t.app.get(JobQueue).counts()).failed).toBe(1);
  });

  it('does not retry a permanent error', async () => {
    t = await createTestApp();
    const id = await createJob(t, scripted('permanent'));
    await runNow(id);
    await drain(t);
    const runs = await allRuns(t, id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      attempt: 1,
      status: 'failed',
      will_retry: false,
      error: 'access denied',
    });
    expect(ScriptedRunner.calls).toHaveLength(1);
  });

  it('checks the account allow-list again at run time', async () => {
    const dataDir = tempDir();
    t = await createTestApp({ dataDir, clock: new ManualClock('2026-01-05T10:00:10Z') });
    // Written by another tool: account acct2 may not use scriptedRunner.
    writeJobFile(t, 'acct2', 'g', 'sneaky', { details: { runner: 'scriptedRunner' } });
    await t.app.get(JobCache).load();
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    const runs = await allRuns(t, 'sneaky', 'acct2');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'failed', will_retry: false });
    expect(runs[0].error).toContain('not allowed for account "acct2"');
    expect(ScriptedRunner.calls).toEqual([]);
    // And the API refuses to queue it by hand.
    const res = await t.authed.patch(`${BASE}/acct2/jobs/g/sneaky`).expect(400);
    expect(res.body.message).toContain('job.details.runner');
  });

  it('runs a job that is not in the cache yet (created moments ago elsewhere)', async () => {
    t = await createTestApp();
    writeJobFile(t, 'acct1', 'g', 'fresh', { name: 'fresh' });
    expect(t.app.get(JobCache).get('acct1/g/fresh')).toBeUndefined();
    await runNow('fresh');
    await drain(t);
    const runs = await allRuns(t, 'fresh');
    expect(runs).toEqual([
      expect.objectContaining({ status: 'succeeded', output: 'Hello, acct1!' }),
    ]);
  });

  it('runs a disabled job by hand', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    const id = await createJob(t, { enabled: false });
    await runNow(id);
    await drain(t);
    expect((await allRuns(t, id)).map((r) => [r.trigger, r.status])).toEqual([
      ['manual', 'succeeded'],
    ]);
  });

  it('skips an occurrence scheduled before its job was disabled', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    const id = await createJob(t, scripted('block'));
    await runNow(id);
    await waitFor(() => ScriptedRunner.active === 1);
    await tickAt(t, '2026-01-05T10:01:00Z'); // queued behind the running manual run
    const job = {
      name: 'job',
      schedule_expression: '* * * ? *',
      enabled: false,
      ...scripted('block'),
    };
    await t.authed.put(`${BASE}/acct1/jobs/g/${id}`).send({ job }).expect(202);
    ScriptedRunner.release();
    await drain(t);
    const runs = await allRuns(t, id);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ['manual', 'succeeded'],
      ['schedule', 'skipped'],
    ]);
    expect(runs[1].error).toContain('disabled');
    expect(ScriptedRunner.calls).toHaveLength(1);
  });

  it('never runs more than `concurrency` at once', async () => {
    const dataDir = tempDir();
    t = await createTestApp({
      dataDir,
      config: testConfig(dataDir, { scheduler: { concurrency: 2, retryDelay: '10ms' } }),
    });
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await createJob(t, scripted('block')));
    for (const id of ids) await runNow(id);
    await waitFor(() => ScriptedRunner.active === 2);
    await new Promise((r) => setTimeout(r, 30));
    expect(ScriptedRunner.active).toBe(2);
    expect(await t.app.get(JobQueue).counts()).toMatchObject({ active: 2, waiting: 3 });
    // Let them through one release at a time; the bound must hold all along.
    while (ScriptedRunner.calls.length < 5 || ScriptedRunner.active > 0) {
      ScriptedRunner.release();
      await new Promise((r) => setTimeout(r, 5));
      expect(ScriptedRunner.active).toBeLessThanOrEqual(2);
    }
    await drain(t);
    expect(ScriptedRunner.maxActive).toBe(2);
    expect(ScriptedRunner.calls).toHaveLength(5);
  });

  it('never runs two occurrences of one job at once: the second waits, then runs', async () => {
    t = await createTestApp();
    const id = await createJob(t, scripted('block'));
    await runNow(id);
    await runNow(id);
    await waitFor(() => ScriptedRunner.active === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(ScriptedRunner.calls).toHaveLength(1);
    ScriptedRunner.release();
    await waitFor(() => ScriptedRunner.calls.length === 2);
    ScriptedRunner.release();
    await drain(t);
    expect(ScriptedRunner.maxActive).toBe(1);
    expect((await allRuns(t, id)).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('runs history newest first, honours limit and validates it', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    const id = await createJob(t);
    for (let m = 1; m <= 5; m++) {
      await tickAt(t, `2026-01-05T10:0${m}:00Z`);
      await drain(t);
    }
    const all = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/runs`).expect(200);
    expect(all.body.map((r: { scheduled_for: string }) => r.scheduled_for.slice(11, 16))).toEqual([
      '10:05',
      '10:04',
      '10:03',
      '10:02',
      '10:01',
    ]);
    const two = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/runs?limit=2`).expect(200);
    expect(two.body.map((r: { scheduled_for: string }) => r.scheduled_for.slice(11, 16))).toEqual([
      '10:05',
      '10:04',
    ]);
    for (const bad of ['0', '1001', 'x', '2.5']) {
      const res = await t.authed.get(`${BASE}/acct1/jobs/g/${id}/runs?limit=${bad}`).expect(400);
      expect(res.body.message).toContain('limit');
    }
    await t.authed.get(`${BASE}/acct1/jobs/g/nope/runs`).expect(404);
    await t.http.get(`${BASE}/acct1/jobs/g/${id}/runs`).expect(401);
  });

  it('counts occurrences and runs in /metrics', async () => {
    t = await createTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    await createJob(t);
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    const text = (await t.http.get(`${BASE}/metrics`).expect(200)).text;
    expect(text).toMatch(/minion_occurrences_scheduled_total\{trigger="schedule"\} [1-9]/);
    expect(text).toMatch(/minion_runs_total\{runner="dummyRunner",status="succeeded"\} [1-9]/);
    expect(text).toContain('minion_run_duration_seconds_bucket');
    expect(text).toMatch(/minion_queue_jobs\{state="waiting"\} 0/);
    expect(text).toContain('minion_tick_duration_seconds_count');
    expect(text).toContain('minion_cache_load_duration_seconds_count');
    expect(text).toMatch(/minion_last_tick_timestamp_seconds \d/);
  });

  describe('graceful shutdown', () => {
    it('waits for an in-flight run to finish before closing', async () => {
      t = await createTestApp();
      const id = await createJob(t, scripted('block'));
      await runNow(id);
      await waitFor(() => ScriptedRunner.active === 1);
      let closed = false;
      const closing = t.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(closed).toBe(false);
      // While draining, new runs are refused rather than silently dropped.
      const refused = await t.authed.patch(`${BASE}/acct1/jobs/g/${id}`).expect(503);
      expect(refused.body.message).toBe('minion is shutting down');
      ScriptedRunner.release();
      await closing;
      const log = new SqliteJobLog(`${t.dataDir}/.runs`, 'test', 1000);
      const runs = await log.list({ account: 'acct1', group: 'g', id }, 10);
      await log.onApplicationShutdown();
      expect(runs).toEqual([expect.objectContaining({ status: 'succeeded', output: 'unblocked' })]);
      removeDir(t.dataDir); // closed above: the usual teardown would close it a second time
      t = undefined as unknown as TestApp;
    });

    it('aborts runs still going after the shutdown timeout', async () => {
      const dataDir = tempDir();
      t = await createTestApp({
        dataDir,
        config: testConfig(dataDir, { scheduler: { shutdownTimeout: '100ms' } }),
      });
      const id = await createJob(t, scripted('block'));
      await runNow(id);
      await waitFor(() => ScriptedRunner.active === 1);
      const started = Date.now();
      await t.close();
      expect(Date.now() - started).toBeLessThan(3000);
      const log = new SqliteJobLog(`${dataDir}/.runs`, 'test', 1000);
      const runs = await log.list({ account: 'acct1', group: 'g', id }, 10);
      await log.onApplicationShutdown();
      // Cut off by shutdown: interrupted, not failed (never alerted), settled after a restart.
      expect(runs[0]).toMatchObject({
        status: 'interrupted',
        will_retry: true,
        error:
          'the action was cut off by shutdown (minion is shutting down); the next attempt checks what it did',
      });
      removeDir(dataDir);
      t = undefined as unknown as TestApp;
    });
  });
});
