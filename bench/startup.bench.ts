/**
 * npm run bench:startup
 *
 * What Kubernetes meets when it starts minion: the built app (`NODE_ENV=production node
 * dist/main.js -config FILE`, embedded defaults: file repository, SQLite run log, in-memory
 * queue) timed from outside, from the spawn to the first 200 of `GET /health/ready`, polled every
 * 10 ms (the first answer of any kind is noted too: the HTTP server listens). Data dirs: empty,
 * and BENCH_JOBS job files (default 100,000, every-minute, in 100 groups). The reference, in the
 * same run and interleaved: the bare Express hello-world, spawn to its first 200. BENCH_ROUNDS
 * rounds (default 3), medians reported. BENCH_CPU_PROF=DIR writes a `--cpu-prof` profile of each
 * start with jobs into DIR (the before build's into DIR/before). BENCH_BEFORE_MAIN=PATH/dist/main.js also starts that build (e.g. the
 * commit before a change) on the same jobs in each round, for a before/after in one run: in a
 * data dir of its own, seeded the same, so neither build finds the other's job snapshot (the two
 * may write different formats, and a snapshot of the other's format is read as none).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';
import {
  median,
  startTimedApp,
  startTimedExpress,
  TimedStart,
  whenCacheLoaded,
} from './support/timed-start';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const BEFORE_MAIN = process.env.BENCH_BEFORE_MAIN;

interface Timed extends TimedStart {
  /** Spawn to the job cache's first load finished (as `/health/ready` reports it). */
  loadedMs?: number;
  /** CPU time of the app from readiness to the end of that load. */
  loadCpuMs?: number;
}

async function timed(start: () => Promise<TimedStart>, loaded = false): Promise<Timed> {
  const started: Timed = await start();
  try {
    if (loaded) {
      const l = await whenCacheLoaded(started);
      started.loadedMs = l.loadedMs;
      started.loadCpuMs = l.cpuAtLoadedMs - l.cpuAtReadyMs;
    }
  } finally {
    await started.stop();
  }
  return started;
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs in ${GROUPS} groups, ` +
      `${ROUNDS} round(s)`,
  );
  const empty = mkdtempSync(join(tmpdir(), 'minion-bench-empty-'));
  const full = mkdtempSync(join(tmpdir(), 'minion-bench-full-'));
  const fullBefore = mkdtempSync(join(tmpdir(), 'minion-bench-full-before-'));
  try {
    const seeding = Date.now();
    seedJobs(full, 'bench', JOBS, '* * * * *', GROUPS);
    if (BEFORE_MAIN) seedJobs(fullBefore, 'bench', JOBS, '* * * * *', GROUPS);
    console.log(`seeded ${JOBS} job files in ${Date.now() - seeding} ms`);
    const rows: Record<'express' | 'empty' | 'full' | 'before', Timed[]> = {
      express: [],
      empty: [],
      full: [],
      before: [],
    };
    for (let round = 1; round <= ROUNDS; round++) {
      rows.express.push(await timed(startTimedExpress));
      rows.empty.push(await timed(() => startTimedApp(BENCH_CONFIG, empty)));
      rows.full.push(
        await timed(
          () =>
            startTimedApp(BENCH_CONFIG, full, {
              nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
            }),
          true,
        ),
      );
      if (BEFORE_MAIN) {
        const b = await timed(
          () =>
            startTimedApp(BENCH_CONFIG, fullBefore, {
              main: BEFORE_MAIN,
              nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/before`] : [],
            }),
          true,
        );
        rows.before.push(b);
        console.log(
          `round ${round}: before build, ${JOBS} jobs: listening ${b.listeningMs} ms, ready ` +
            `${b.readyMs} ms, cache loaded ${b.loadedMs} ms (CPU from ready to loaded ` +
            `${b.loadCpuMs} ms, at ready ${b.cpuAtReadyMs} ms)`,
        );
      }
      const [e, n, f] = [rows.express, rows.empty, rows.full].map((r) => r[r.length - 1]);
      console.log(
        `round ${round}: express ready ${e.readyMs} ms; minion no jobs listening ` +
          `${n.listeningMs} ms, ready ${n.readyMs} ms; ${JOBS} jobs listening ${f.listeningMs} ms, ` +
          `ready ${f.readyMs} ms, cache loaded ${f.loadedMs} ms (CPU from ready to loaded ` +
          `${f.loadCpuMs} ms, at ready ${f.cpuAtReadyMs} ms)`,
      );
    }
    const m = (r: Timed[], k: 'listeningMs' | 'readyMs' | 'loadedMs' | 'loadCpuMs') =>
      median(r.map((t) => t[k] ?? NaN));
    const express = m(rows.express, 'readyMs');
    console.log('\nmedians, spawn to first 200 of the readiness URL (listening in brackets):');
    console.log(`  bare Express hello: ${express} ms`);
    for (const [name, r] of [
      ['minion, no jobs', rows.empty],
      [`minion, ${JOBS} jobs`, rows.full],
      ...(BEFORE_MAIN ? ([[`before build, ${JOBS} jobs`, rows.before]] as const) : []),
    ] as const) {
      console.log(
        `  ${name}: ${m(r, 'readyMs')} ms (${m(r, 'listeningMs')} ms), ` +
          `${(m(r, 'readyMs') / express).toFixed(1)}x express`,
      );
    }
    console.log(
      `  job cache of ${JOBS} jobs loaded ${m(rows.full, 'loadedMs')} ms after the spawn, ` +
        `${m(rows.full, 'loadCpuMs')} ms of CPU from readiness to then`,
    );
    // The first round reads every file (no snapshot yet); the next ones load from the snapshot.
    const loadCpu = (r: Timed[]) =>
      `first start ${r[0]?.loadCpuMs} ms, from the snapshot ${r
        .slice(1)
        .map((t) => t.loadCpuMs)
        .join(' / ')} ms (median ${median(r.slice(1).map((t) => t.loadCpuMs ?? NaN))} ms)`;
    console.log(`  CPU of the cache load (ready to loaded), this build: ${loadCpu(rows.full)}`);
    if (BEFORE_MAIN) {
      console.log(
        `  CPU of the cache load (ready to loaded), before build: ${loadCpu(rows.before)}`,
      );
    }
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(full, { recursive: true, force: true });
    rmSync(fullBefore, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
