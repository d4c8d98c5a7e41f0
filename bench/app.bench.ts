/**
 * npm run bench:app
 *
 * 10,000 every-minute jobs due at once, through the built app started as a user starts it
 * (`node dist/main.js -config FILE`, file repository in a data dir, default run log, dummy
 * runner, concurrency 16). Real minute boundaries, no injected clock: the app is started, becomes
 * ready, and the next two boundaries are measured: the first minute (every job's first run) and
 * the second (steady state). Lags are read back through the API (`GET .../runs`): for each run,
 * `started_at - scheduled_for`. The reference, in the same run and interleaved: one `cron` timer
 * per job in its own process. BENCH_RUNS (default 3) runs of each; BENCH_JOBS (default 10000);
 * BENCH_SKIP_CRON=1 leaves the reference out. BENCH_BEFORE_MAIN=PATH/dist/main.js also measures
 * that build (e.g. main's, built in a copy of the tree) in each run, right before this one: a
 * before/after on the same machine state. BENCH_CPU_PROF=DIR profiles each app (`--cpu-prof`) and
 * prints where each measured boundary falls in its profile, for
 * `profile-summary.js FILE TOP FROM_MS LENGTH_MS` (the busy time after that boundary only).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { nextBoundary, percentile, sleepUntil, startRealApp, whenReady } from './support/real-app';
import { startBuiltApp } from '../test/support/built-app';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GROUPS = 100;
const BEFORE_MAIN = process.env.BENCH_BEFORE_MAIN;
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

interface Minute {
  minute: string;
  runs: number;
  lastMs: number;
  p50Ms: number;
}

/** Every run of every job, read through the API, 32 requests at a time. */
async function runsByMinute(url: string, minutes: number[]): Promise<Map<number, number[]>> {
  const lags = new Map<number, number[]>(minutes.map((m) => [m, []]));
  const ids = Array.from({ length: JOBS }, (_, i) => `g${i % GROUPS}/job-${i}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < ids.length) {
        const id = ids[next++];
        const res = await fetch(`${url}/bench/jobs/${id}/runs?limit=10`, {
          headers: { 'X-Auth-Token': BENCH_CONFIG.token },
        });
        const runs = (await res.json()) as { scheduled_for: string; started_at: string }[];
        for (const r of runs) {
          const minute = Date.parse(r.scheduled_for);
          lags.get(minute)?.push(Date.parse(r.started_at) - minute);
        }
      }
    }),
  );
  return lags;
}

function summarize(minute: number, lags: number[]): Minute {
  lags.sort((a, b) => a - b);
  return {
    minute: new Date(minute).toISOString(),
    runs: lags.length,
    lastMs: lags[lags.length - 1] ?? NaN,
    p50Ms: percentile(lags, 50),
  };
}

/** `main`: another build's dist/main.js (BENCH_BEFORE_MAIN); this tree's by default. */
async function measureApp(dataDir: string, main?: string): Promise<Minute[]> {
  rmSync(join(dataDir, '.runs'), { recursive: true, force: true });
  rmSync(join(dataDir, '.scheduler'), { recursive: true, force: true });
  const config = { ...BENCH_CONFIG, scheduler: { drainDelay: '0s' } };
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app, as BENCH_CPU_PROF.
  const nodeArgs = PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]
    : process.env.BENCH_APP_NODE_ARGS?.split(' ');
  const spawnedAt = Date.now();
  const app = main
    ? await startBuiltApp(main, { listenAddress: '0.0.0.0:0', ...config }, { dataDir, nodeArgs })
    : await startRealApp(config, { dataDir, nodeArgs });
  try {
    await whenReady(app);
    // A boundary at least 5 s away, so the app has settled after its start.
    let first = nextBoundary(Date.now());
    if (first - Date.now() < 5000) first += 60_000;
    const minutes = [first, first + 60_000];
    if (PROFILE_DIR) {
      // The profile starts about when the process does: offsets from the spawn (± startup).
      const offsets = minutes.map((m) => m - spawnedAt).join(' and ');
      console.log(`profile (${main ?? 'this build'}): boundaries at about ${offsets} ms`);
    }
    await sleepUntil(minutes[1] + 15_000);
    const lags = await runsByMinute(app.url, minutes);
    const out = minutes.map((m) => summarize(m, lags.get(m) ?? []));
    // Runs missing: what the app said about it.
    if (out.some((m) => m.runs !== JOBS)) console.log(app.log().split('\n').slice(-30).join('\n'));
    return out;
  } finally {
    await app.stop();
  }
}

/** `cron` timers, one per job, in a child process; the same two kinds of minute. */
async function measureCron(): Promise<Minute[]> {
  const child = spawn(process.execPath, [join(__dirname, 'support', 'cron-reference.js')], {
    env: { ...process.env, JOBS: String(JOBS), MINUTES: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: Minute[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const m = JSON.parse(line) as { minute?: string; fired: number; lastMs: number; p50Ms: number };
    if (m.minute) out.push({ minute: m.minute, runs: m.fired, lastMs: m.lastMs, p50Ms: m.p50Ms });
  }
  // The first minute may be partial (timers started mid-minute do not fire for it).
  return out.filter((m) => m.runs === JOBS).slice(0, 2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs, ${RUNS} run(s)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-data-'));
  try {
    seedJobs(dataDir, 'bench', JOBS);
    const app: Minute[][] = [];
    const cron: Minute[][] = [];
    const before: Minute[][] = [];
    for (let run = 1; run <= RUNS; run++) {
      if (BEFORE_MAIN) {
        const b = await measureApp(dataDir, BEFORE_MAIN);
        before.push(b);
        for (const [i, m] of b.entries()) {
          const kind = i === 0 ? 'first minute' : 'steady';
          console.log(
            `run ${run} BEFORE ${kind}: ${m.runs} runs, last start ${m.lastMs} ms, p50 ${m.p50Ms} ms`,
          );
        }
      }
      const a = await measureApp(dataDir);
      app.push(a);
      for (const [i, m] of a.entries()) {
        const kind = i === 0 ? 'first minute' : 'steady';
        console.log(
          `run ${run} minion ${kind}: ${m.runs} runs, last start ${m.lastMs} ms, p50 ${m.p50Ms} ms`,
        );
      }
      const c = process.env.BENCH_SKIP_CRON ? [] : await measureCron();
      cron.push(c);
      for (const m of c) {
        console.log(
          `run ${run} cron timers: ${m.runs} fired, last ${m.lastMs} ms, p50 ${m.p50Ms} ms`,
        );
      }
    }
    const firsts = app.map((a) => a[0].lastMs);
    const steadies = app.map((a) => a[1].lastMs);
    const crons = cron.flat().map((m) => m.lastMs);
    const missing = [...app, ...before].flat().filter((m) => m.runs !== JOBS);
    if (before.length > 0) {
      const bf = median(before.map((b) => b[0].lastMs));
      const bs = median(before.map((b) => b[1].lastMs));
      console.log(
        `\nmedian last start BEFORE (${BEFORE_MAIN}): first minute ${bf} ms, steady ${bs} ms; ` +
          `this build / before: first ${(median(firsts) / bf).toFixed(2)}x, ` +
          `steady ${(median(steadies) / bs).toFixed(2)}x`,
      );
    }
    console.log(
      `\nmedian last start: minion first minute ${median(firsts)} ms, steady ${median(steadies)} ms`,
    );
    if (crons.length > 0) {
      console.log(
        `cron timers ${median(crons)} ms; ratio minion / cron timers: ` +
          `first ${(median(firsts) / median(crons)).toFixed(2)}x, ` +
          `steady ${(median(steadies) / median(crons)).toFixed(2)}x`,
      );
    }
    console.log(
      missing.length === 0
        ? `every minute had all ${JOBS} runs (no miss, no duplicate)`
        : `MINUTES WITH MISSING OR EXTRA RUNS: ${JSON.stringify(missing)}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(err);
  process.exit(1);
});
