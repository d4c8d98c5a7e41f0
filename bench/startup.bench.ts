/**
 * npm run bench:startup
 *
 * Start to ready of the built app (`node dist/main.js -config FILE`, as a user starts it): from
 * the spawn to the first 200 of `/health/ready` (which waits for the job cache), on a file
 * repository holding no jobs and BENCH_JOBS jobs (default 100,000, every-minute, 100 groups),
 * interleaved, BENCH_ROUNDS rounds (default 3). The ratio is the median with jobs over the
 * median without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function startToReady(dataDir: string): Promise<number> {
  const started = Date.now();
  const app = await startRealApp(BENCH_CONFIG, { dataDir });
  try {
    await whenReady(app);
    return Date.now() - started;
  } finally {
    await app.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs, ${ROUNDS} round(s)`);
  const empty = mkdtempSync(join(tmpdir(), 'minion-bench-empty-'));
  const full = mkdtempSync(join(tmpdir(), 'minion-bench-full-'));
  try {
    const seeding = Date.now();
    seedJobs(full, 'bench', JOBS);
    console.log(`seeded ${JOBS} job files in ${Date.now() - seeding} ms`);
    const none: number[] = [];
    const many: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      none.push(await startToReady(empty));
      many.push(await startToReady(full));
      console.log(
        `round ${round}: no jobs ${none[none.length - 1]} ms, ${JOBS} jobs ${many[many.length - 1]} ms`,
      );
    }
    console.log(
      `\nmedian start to ready: no jobs ${median(none)} ms, ${JOBS} jobs ${median(many)} ms ` +
        `(${(median(many) / median(none)).toFixed(2)}x)`,
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
    rmSync(full, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
