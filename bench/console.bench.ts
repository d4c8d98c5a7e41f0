/**
 * npm run bench:console
 *
 * The console on an account of 10,000 jobs (100 groups), each with 10 run records (one in ten
 * of the newest failed), against the built app started as a user starts it. Measured from
 * outside: the API calls the console makes (over HTTP, one at a time), and in Debian's Chromium
 * the time from opening the jobs view to its first page of rows on screen, in a tab already
 * signed in (a view change) and in a new tab (page load, sign-in check, first page).
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../test/support/console-browser';
import { percentile, startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RUNS_PER_JOB = 10;
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);
const ROWS = 25;

/** The run log as the app keeps it: `<data>/.runs/<org>.sqlite`, table runs(seq, job, record). */
function seedRuns(dataDir: string): void {
  mkdirSync(join(dataDir, '.runs'), { recursive: true });
  const db = new Database(join(dataDir, '.runs', 'bench.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(
    `CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY, job TEXT NOT NULL, record TEXT NOT NULL);
     CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, seq);`,
  );
  const insert = db.prepare('INSERT INTO runs (job, record) VALUES (?, ?)');
  db.transaction(() => {
    for (let r = 0; r < RUNS_PER_JOB; r++) {
      for (let i = 0; i < JOBS; i++) {
        const job = `bench/g${i % 100}/job-${i}`;
        const at = new Date(Date.UTC(2026, 0, 1 + r, 8)).toISOString();
        const failed = r === RUNS_PER_JOB - 1 && i % 10 === 0;
        insert.run(
          job,
          JSON.stringify({
            run_id: `${job}@${at}`,
            trigger: 'schedule',
            scheduled_for: at,
            attempt: 1,
            status: failed ? 'failed' : 'succeeded',
            started_at: at,
            finished_at: at,
            duration_ms: 12,
            runner: 'dummyRunner',
            ...(failed
              ? { error: 'access denied', will_retry: false }
              : { output: 'Hello, bench!' }),
          }),
        );
      }
    }
  })();
  db.close();
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const max = (xs: number[]) => Math.max(...xs);
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timeCall(
  url: string,
): Promise<{ first: number; median: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= REPEAT; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { 'X-Auth-Token': BENCH_CONFIG.token } });
    const body = await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${body}`);
    times.push(performance.now() - started);
    bytes = body.length;
  }
  const [first, ...rest] = times;
  return { first, median: median(rest), max: max(rest), bytes };
}

function consoleJsGzipped(): number {
  const assets = resolve(__dirname, '..', '..', 'dist', 'ui', 'assets');
  return readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs, ${RUNS_PER_JOB} runs each; ${REPEAT} repeats`,
  );
  console.log(`console JavaScript: ${(consoleJsGzipped() / 1024).toFixed(1)} KB gzipped`);
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-console-'));
  seedJobs(dataDir, 'bench', JOBS, '0 8 * * MON-FRI', 100);
  seedRuns(dataDir);
  const app = await startRealApp(BENCH_CONFIG, { dataDir });
  const browser = await launchChromium();
  try {
    await whenReady(app);
    console.log('\nAPI, one call at a time (first call, then median and max of the rest):');
    for (const [name, path] of [
      ['job summaries, first page', `/bench/job-summaries?limit=${ROWS}`],
      [
        'job summaries, search walking all jobs',
        `/bench/job-summaries?limit=${ROWS}&search=job-9999`,
      ],
      ['job summaries, paused=true (none)', `/bench/job-summaries?limit=${ROWS}&paused=true`],
      ['overview (counts, next 6 h, failures)', '/bench/overview'],
      ['whoami', '/whoami'],
    ]) {
      const r = await timeCall(`${app.url}${path}`);
      console.log(
        `  ${name.padEnd(42)} first ${ms(r.first)}, median ${ms(r.median)}, max ${ms(r.max)} (${r.bytes} B)`,
      );
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(
      `sessionStorage.setItem('minion.console.key', ${JSON.stringify(BENCH_CONFIG.token)})`,
    );
    const rows = 'table.jobs tbody tr';
    const view: number[] = [];
    const fresh: number[] = [];
    const page = await context.newPage();
    await page.goto(`${app.url}/ui/`);
    await page.getByRole('heading', { name: 'Overview' }).waitFor({ timeout: 60_000 });
    for (let i = 0; i <= REPEAT; i++) {
      await page.evaluate(`location.hash = '#/'`);
      // The overview loaded: its request is not in flight when the jobs view asks for its page.
      await page.locator('.counts').waitFor({ timeout: 30_000 });
      const started = performance.now();
      await page.evaluate(`location.hash = '#/a/bench/jobs'`);
      await page
        .locator(rows)
        .nth(ROWS - 1)
        .waitFor({ timeout: 30_000 });
      view.push(performance.now() - started);
    }
    for (let i = 0; i <= Math.min(REPEAT, 10); i++) {
      const tab = await context.newPage();
      const started = performance.now();
      await tab.goto(`${app.url}/ui/#/a/bench/jobs`);
      await tab
        .locator(rows)
        .nth(ROWS - 1)
        .waitFor({ timeout: 30_000 });
      fresh.push(performance.now() - started);
      await tab.close();
    }
    console.log(
      `\nChromium, until the first ${ROWS} rows are on screen (first, then median and max of the rest):`,
    );
    console.log(
      `  jobs view, signed-in tab   first ${ms(view[0])}, median ${ms(median(view.slice(1)))}, max ${ms(max(view.slice(1)))}`,
    );
    console.log(
      `  new tab (load + whoami)    first ${ms(fresh[0])}, median ${ms(median(fresh.slice(1)))}, max ${ms(max(fresh.slice(1)))}`,
    );
  } finally {
    await browser.close();
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
