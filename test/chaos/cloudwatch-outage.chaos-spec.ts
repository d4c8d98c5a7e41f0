/**
 * CloudWatch Logs throttling, then refusing connections, during bursts of runs
 * (docs/faults-storage.md): minion from dist/main.js with `logProvider.type: cloudwatch` pointed
 * at a fault-injecting proxy in front of the fake AWS endpoint. Shown: every run record (and
 * every audit entry of the runs) reaches CloudWatch exactly once after the outage, through the
 * memory buffer and the spill file; and a restart during the outage keeps the held records on
 * disk and delivers them at the next start.
 *
 * The outage is five minutes: the full form holds it that long; the short form
 * (CHAOS_SHORT=1) scales it to 20 seconds, the same phases (throttled, then refused) in less
 * time. What is held does not depend on the duration, only on how many records arrive meanwhile.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltApp, BUILT_MAIN, startBuiltApp, whenReady } from '../support/built-app';
import { FakeAws } from '../support/fake-aws';
import { CloudWatchFaultProxy } from './support/cloudwatch-fault-proxy';
import {
  call,
  CHAOS_SHORT,
  CHAOS_TOKEN,
  metric,
  printCounts,
  waitUntil,
} from './support/storage-chaos-app';

const OUTAGE_MS = CHAOS_SHORT ? 20_000 : 5 * 60_000;
const JOBS = 10;
/** Below the first burst: part of it goes to the spill file. */
const BUFFER_RECORDS = 100;
const DELIVERY_DEADLINE_MS = 120_000;

describe('CloudWatch Logs throttled and down (chaos)', () => {
  let fake: FakeAws;
  let proxy: CloudWatchFaultProxy;
  let dataDir: string;
  let app: BuiltApp;
  const ids: string[] = [];

  const config = () => ({
    token: CHAOS_TOKEN,
    accounts: { acct: { runners: ['dummyRunner'] } },
    jobRunners: { dummyRunner: { type: 'dummy' } },
    logProvider: {
      type: 'cloudwatch',
      config: {
        region: 'us-east-1',
        endpoint: proxy.endpoint,
        akid: 'AKIACHAOSTEST0000',
        secret: 'chaos-secret',
        bufferRecords: BUFFER_RECORDS,
        retryInterval: '500ms',
        maxRetryInterval: '2s',
      },
    },
  });
  const start = async () => {
    app = await startBuiltApp(BUILT_MAIN, config(), { dataDir, org: 'chaos' });
    await whenReady(app, 120_000);
  };

  beforeAll(async () => {
    fake = new FakeAws();
    proxy = await CloudWatchFaultProxy.start(await fake.start());
    dataDir = mkdtempSync(join(tmpdir(), 'minion-chaos-cw-'));
    await start();
    // Disabled jobs: only the manual runs of the bursts run, so every record is known.
    for (let i = 0; i < JOBS; i++) {
      const created = await call(app, 'POST', '/acct/jobs/g', {
        job: {
          name: `job-${i}`,
          schedule_expression: '* * * * *',
          enabled: false,
          details: { runner: 'dummyRunner' },
        },
      });
      expect(created.status).toBe(200);
      ids.push((created.body as { job: { id: string } }).job.id);
    }
  });

  afterAll(async () => {
    await app?.stop();
    await proxy?.stop();
    await fake?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `count` manual runs spread over the jobs, at once; their run ids. */
  async function burst(count: number): Promise<string[]> {
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) => call(app, 'PATCH', `/acct/jobs/g/${ids[i % JOBS]}`)),
    );
    for (const a of answers) expect(a.status).toBe(202);
    return answers.map((a) => (a.body as { run_id: string }).run_id);
  }

  /** How many times each run id is in CloudWatch (the fake's streams), and the audit's run entries. */
  function delivered(): { runs: Map<string, number>; audited: Map<string, number> } {
    const runs = new Map<string, number>();
    for (const stream of fake.logs.groups.get('chaos-g')?.streams.values() ?? []) {
      for (const e of stream) {
        const id = (JSON.parse(e.message) as { run_id: string }).run_id;
        runs.set(id, (runs.get(id) ?? 0) + 1);
      }
    }
    const audited = new Map<string, number>();
    for (const e of fake.logs.groups.get('chaos-audit')?.streams.get('acct') ?? []) {
      const entry = JSON.parse(e.message) as { action: string; detail?: string };
      if (entry.action === 'run' && entry.detail)
        audited.set(entry.detail, (audited.get(entry.detail) ?? 0) + 1);
    }
    return { runs, audited };
  }

  function tally(expected: string[]) {
    const { runs, audited } = delivered();
    const once = (m: Map<string, number>) => expected.filter((id) => m.get(id) === 1).length;
    const missing = (m: Map<string, number>) => expected.filter((id) => !m.has(id)).length;
    const twice = (m: Map<string, number>) => expected.filter((id) => (m.get(id) ?? 0) > 1).length;
    return {
      runs: expected.length,
      recordsOnce: once(runs),
      recordsMissing: missing(runs),
      recordsDuplicated: twice(runs),
      auditOnce: once(audited),
      auditMissing: missing(audited),
      auditDuplicated: twice(audited),
    };
  }

  const held = async () =>
    (await metric(app, 'minion_run_log_held_records')) +
    (await metric(app, 'minion_audit_held_records'));

  it('throttled, then refusing connections, during bursts of runs: afterwards every record is in CloudWatch exactly once', async () => {
    const outageStart = Date.now();
    await proxy.fault('throttle');
    const first = await burst(150);
    await waitUntil(
      'the first burst held',
      async () => (await metric(app, 'minion_run_log_held_total')) >= first.length,
      60_000,
    );
    const spilledDuringThrottle = await metric(app, 'minion_run_log_held_records', {
      where: 'disk',
    });
    expect(spilledDuringThrottle).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, '.cloudwatch-spill', 'runs.jsonl'))).toBe(true);

    // Halfway: CloudWatch stops answering at all.
    await new Promise((r) => setTimeout(r, Math.max(0, outageStart + OUTAGE_MS / 2 - Date.now())));
    await proxy.fault('refuse');
    // Reading the history meanwhile: 503 naming CloudWatch, with Retry-After, never a 500.
    const history = await call(app, 'GET', `/acct/jobs/g/${ids[0]}/runs`);
    expect(history.status).toBe(503);
    expect(history.headers.get('retry-after')).toBe('5');
    expect((history.body as { message: string }).message).toMatch(
      /CloudWatch Logs cannot be reached/,
    );
    const second = await burst(50);
    await waitUntil(
      'the second burst held',
      async () => (await metric(app, 'minion_run_log_held_total')) >= first.length + second.length,
      60_000,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, outageStart + OUTAGE_MS - Date.now())));
    const heldAtEnd = {
      memory: await metric(app, 'minion_run_log_held_records', { where: 'memory' }),
      disk: await metric(app, 'minion_run_log_held_records', { where: 'disk' }),
    };
    expect(delivered().runs.size).toBe(0);

    await proxy.heal();
    const healedAt = Date.now();
    await waitUntil('everything delivered', async () => (await held()) === 0, DELIVERY_DEADLINE_MS);
    const deliveredMs = Date.now() - healedAt;
    const counts = tally([...first, ...second]);
    printCounts('CloudWatch Logs outage during bursts', {
      outageSeconds: Math.round((healedAt - outageStart) / 1000),
      scaled: CHAOS_SHORT ? "short form: 20 s for the issue's 5 min" : 'full: 5 min',
      throttledCalls: proxy.faulted.throttle,
      historyReadDuringOutage: history.status,
      heldAtEndOfOutage: heldAtEnd,
      spilledTotal: await metric(app, 'minion_run_log_spilled_total'),
      redelivered: await metric(app, 'minion_run_log_redelivered_total'),
      dropped: await metric(app, 'minion_run_log_dropped_total'),
      writeFailures: await metric(app, 'minion_run_log_write_failures_total'),
      deliveredAfterHealMs: deliveredMs,
      ...counts,
    });
    expect(counts).toMatchObject({
      recordsOnce: counts.runs,
      recordsMissing: 0,
      recordsDuplicated: 0,
      auditOnce: counts.runs,
      auditDuplicated: 0,
    });
    expect(heldAtEnd.disk).toBeGreaterThan(0);
    expect(await metric(app, 'minion_run_log_dropped_total')).toBe(0);
    expect(await metric(app, 'minion_run_log_write_failures_total')).toBe(0);
  });

  it('a restart during the outage: the spill file is delivered at the next start, each record once', async () => {
    const before = delivered().runs.size;
    await proxy.fault('refuse');
    const runs = await burst(60);
    await waitUntil(
      'the burst held',
      async () =>
        (await metric(app, 'minion_run_log_held_records', { where: 'memory' })) +
          (await metric(app, 'minion_run_log_held_records', { where: 'disk' })) >=
        runs.length,
      60_000,
    );
    const heldBefore = await metric(app, 'minion_run_log_held_total');
    // SIGTERM while CloudWatch is still down: what memory holds goes to the spill file.
    await app.stop();
    const spill = join(dataDir, '.cloudwatch-spill', 'runs.jsonl');
    const linesOnDisk = readFileSync(spill, 'utf8').trim().split('\n').length;
    expect(linesOnDisk).toBeGreaterThanOrEqual(runs.length);

    // Started again, still during the outage: it finds the file and holds it.
    await start();
    const heldAtStart = await metric(app, 'minion_run_log_held_records', { where: 'disk' });
    expect(heldAtStart).toBeGreaterThanOrEqual(runs.length);
    expect(delivered().runs.size).toBe(before);
    await proxy.heal();
    await waitUntil(
      'the spill file delivered',
      async () => (await held()) === 0,
      DELIVERY_DEADLINE_MS,
    );
    const counts = tally(runs);
    printCounts('CloudWatch Logs outage across a restart', {
      heldBeforeRestart: heldBefore,
      linesInSpillFileAtStop: linesOnDisk,
      heldOnDiskAtNextStart: heldAtStart,
      redeliveredAfterStart: await metric(app, 'minion_run_log_redelivered_total'),
      ...counts,
    });
    expect(counts).toMatchObject({
      recordsOnce: runs.length,
      recordsMissing: 0,
      recordsDuplicated: 0,
      auditOnce: runs.length,
      auditDuplicated: 0,
    });
    expect(readFileSync(spill, 'utf8')).toBe('');
  });
});
