/**
 * npm run bench:startup-s3
 *
 * Start to ready of the built app on the S3 jobs repository holding BENCH_JOBS jobs (default
 * 100,000), served by s3rver in its own process answering each request after 10 ms (S3-like
 * latency), with the default 32 parallel reads (`scheduler.loadConcurrency`) and with 128.
 * Seeding 100k objects takes a minute or two; one round each.
 */
import { cpus } from 'node:os';
import { S3JobsRepository } from '../src/repository/s3-jobs.repository';
import { TestS3 } from '../test/support/s3-server';
import { startRealApp, whenReady } from './support/real-app';
import { BENCH_CONFIG } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const LATENCY_MS = 10;

async function seed(s3: TestS3): Promise<void> {
  const repo = new S3JobsRepository(s3.settings('minion'), 'bench');
  for (let i = 0; i < JOBS; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, JOBS - i) }, (_, k) => {
        const n = i + k;
        return repo.create({
          account: 'bench',
          description: 'bench',
          details: { runner: 'dummyRunner' },
          group: `g${n % 100}`,
          id: `job-${n}`,
          modified_at: '2026-01-01T00:00:00Z',
          modified_by: 'bench',
          name: `job ${n}`,
          schedule_expression: '* * * * *',
          enabled: true,
        });
      }),
    );
  }
}

async function startToReady(s3: TestS3, loadConcurrency: number): Promise<number> {
  const started = Date.now();
  const app = await startRealApp({
    ...BENCH_CONFIG,
    jobsRepository: { type: 's3', config: s3.options('minion') },
    scheduler: { loadConcurrency },
  });
  try {
    await whenReady(app, 900_000);
    return Date.now() - started;
  } finally {
    await app.stop();
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs in s3rver`);
  const bare = await TestS3.start();
  try {
    const seeding = Date.now();
    await seed(bare);
    console.log(`seeded ${JOBS} jobs in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
    await bare.stop();
    const slow = await TestS3.start(bare.directory, LATENCY_MS);
    try {
      for (const concurrency of [32, 128]) {
        const ms = await startToReady(slow, concurrency);
        console.log(
          `${LATENCY_MS} ms per request, loadConcurrency ${concurrency}: ready after ${(ms / 1000).toFixed(1)} s`,
        );
      }
    } finally {
      await slow.stop();
    }
  } finally {
    await bare.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
