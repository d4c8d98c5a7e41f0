/**
 * npm run bench:scheduler
 *
 * 1. Tick cost with 1k, 10k and 100k cached jobs of varied expressions and time zones, where the
 *    same 1k jobs are due: the tick should cost about the same (bucket index).
 * 2. RSS with 100k cached jobs.
 * 3. 10k dummy jobs due in one minute, on the default stack (in-memory queue, concurrency 16,
 *    file run log): time from the boundary to the start of the last run.
 */
import 'reflect-metadata';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpAdapterFor } from '../src/app.setup';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../src/app.module';
import { Clock } from '../src/common/clock';
import { loadConfig } from '../src/config/config.loader';
import { MinionSettings } from '../src/config/settings';
import { JobDocument } from '../src/domain/job-document';
import { JobsRepository } from '../src/repository/jobs.repository';
import { DummyRunner } from '../src/runners/dummy.runner';
import { RUNNER_TYPES, RunnerRegistry } from '../src/runners/runner-registry';
import { JobQueue, QueueCounts } from '../src/coordination/job-queue';
import { MinuteTicker } from '../src/scheduler/minute-ticker';
import { Occurrence } from '../src/domain/occurrence';
import { SchedulerService } from '../src/scheduler/scheduler.service';
import { ManualClock, ManualTicker } from '../test/support/manual-clock';
import { MemoryJobsRepository } from './support/memory-jobs.repository';

const START = '2026-01-05T09:59:30Z';
const DUE_EXPR = '*/5 * * * *';
/** Never due at minutes that are multiples of 5 between 10:00 and 11:00 UTC. */
const IDLE_EXPRS: [string, string][] = [
  ['0 3 * * *', 'UTC'],
  ['17 */2 * * *', 'UTC'],
  ['31-34 * * * MON-FRI', 'UTC'],
  ['0 9 * * *', 'Europe/Berlin'],
  ['@daily', 'America/New_York'],
  ['@weekly', 'UTC'],
  ['@monthly', 'Asia/Tokyo'],
  ['43 18 * * *', 'Australia/Sydney'],
  ['1 1 1 1 *', 'UTC'],
  ['59 23 * * SUN', 'Europe/London'],
];

function job(i: number, expr: string, tz: string): JobDocument {
  return {
    account: 'bench',
    description: '',
    details: { runner: 'dummyRunner' },
    group: `g${i % 100}`,
    id: `job-${i}`,
    modified_at: '2026-01-01T00:00:00Z',
    modified_by: 'bench',
    name: `job ${i}`,
    schedule_expression: expr,
    enabled: true,
    ...(tz !== 'UTC' ? { timezone: tz } : {}),
  };
}

/** Records what the tick enqueues, so the tick itself is what gets measured. */
class CountingQueue extends JobQueue {
  count = 0;
  async enqueue(o: Occurrence[]): Promise<string[]> {
    this.count += o.length;
    return o.map((x) => x.id);
  }
  async start(): Promise<void> {}
  async stop() {
    return { dropped: [], stillRunning: 0 };
  }
  async counts(): Promise<QueueCounts> {
    return { waiting: 0, active: 0, delayed: 0, failed: 0 };
  }
}

async function app(
  config: MinionSettings,
  repo: JobsRepository,
  queue?: JobQueue,
  registry?: RunnerRegistry,
) {
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(new ManualClock(START))
    .overrideProvider(MinuteTicker)
    .useValue(new ManualTicker())
    .overrideProvider(JobsRepository)
    .useValue(repo);
  if (queue) builder = builder.overrideProvider(JobQueue).useValue(queue);
  if (registry) builder = builder.overrideProvider(RunnerRegistry).useValue(registry);
  const nest = (await builder.compile()).createNestApplication<NestFastifyApplication>(
    httpAdapterFor(config),
    { logger: false },
  );
  await nest.init();
  const scheduler = nest.get(SchedulerService);
  await scheduler.ready();
  return { nest, scheduler, clock: nest.get(Clock) as ManualClock };
}

function benchConfig(dataDir: string): MinionSettings {
  return loadConfig({
    argv: [],
    cwd: dataDir,
    env: {
      API_CONFIG: JSON.stringify({
        org: 'bench',
        token: 't',
        logLevel: 'silent',
        accounts: { bench: { runners: ['dummyRunner'] } },
        jobRunners: { dummyRunner: { type: 'dummy' } },
        jobsRepository: { type: 'file', config: { path: dataDir } },
      }),
    },
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function tickCost(total: number, dataDir: string) {
  const repo = new MemoryJobsRepository();
  for (let i = 0; i < 1000; i++) repo.put(job(i, DUE_EXPR, 'UTC'));
  for (let i = 1000; i < total; i++) repo.put(job(i, ...IDLE_EXPRS[i % IDLE_EXPRS.length]));
  const queue = new CountingQueue();
  const loadStart = process.hrtime.bigint();
  const { nest, scheduler, clock } = await app(benchConfig(dataDir), repo, queue);
  const loadMs = Number(process.hrtime.bigint() - loadStart) / 1e6;
  global.gc?.();
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const times: number[] = [];
  for (let m = 5; m <= 55; m += 5) {
    // Idle minutes in between, as in real life (each costs a bucket lookup).
    for (let k = m - 4; k < m; k++) {
      clock.set(`2026-01-05T10:${String(k).padStart(2, '0')}:00.100Z`);
      await scheduler.tick();
    }
    clock.set(`2026-01-05T10:${String(m).padStart(2, '0')}:00.100Z`);
    const before = queue.count;
    const t0 = process.hrtime.bigint();
    const report = await scheduler.tick();
    if (!report) throw new Error('tick did nothing');
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (queue.count - before !== 1000)
      throw new Error(`expected 1000 due, got ${queue.count - before}`);
  }
  await nest.close();
  return { total, tickMs: median(times), loadMs, rssMb };
}

async function dueRuns(dataDir: string) {
  const repo = new MemoryJobsRepository();
  for (let i = 0; i < 10_000; i++) repo.put(job(i, '* * * * *', 'UTC'));
  const starts: number[] = [];
  const config = benchConfig(dataDir);
  const types = {
    ...RUNNER_TYPES,
    dummy: (name: string) =>
      new (class extends DummyRunner {
        override async run(ctx: Parameters<DummyRunner['run']>[0]) {
          starts.push(performance.now());
          return super.run(ctx);
        }
      })(name),
  };
  const { nest, scheduler, clock } = await app(
    config,
    repo,
    undefined,
    RunnerRegistry.fromConfig(config, types),
  );
  clock.set('2026-01-05T10:00:00.000Z');
  const boundary = performance.now();
  await scheduler.tick();
  const queue = nest.get(JobQueue);
  for (;;) {
    const c = await queue.counts();
    if (c.waiting + c.active === 0 && starts.length >= 10_000) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const lastStart = Math.max(...starts) - boundary;
  const sorted = starts.map((x) => x - boundary).sort((a, b) => a - b);
  const percentiles = [0, 0.5, 0.9, 0.99, 1]
    .map(
      (q) =>
        `p${q * 100}=${sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(0)}ms`,
    )
    .join(' ');
  const allDone = performance.now() - boundary;
  await nest.close();
  return { runs: starts.length, lastStartMs: lastStart, allDoneMs: allDone, percentiles };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-bench-'));
  try {
    console.log(`node ${process.version}, ${cpus().length} cpus`);
    const rows = [];
    // A fresh data dir per run: each app starts without a schedule marker.
    for (const total of [1_000, 10_000, 100_000])
      rows.push(await tickCost(total, mkdtempSync(join(dataDir, 'run-'))));
    console.log('\ncached jobs | due | tick (median of 11) | cache load | RSS after load');
    for (const r of rows) {
      console.log(
        `${String(r.total).padStart(11)} | 1000 | ${r.tickMs.toFixed(2).padStart(8)} ms | ${r.loadMs.toFixed(0).padStart(6)} ms | ${r.rssMb.toFixed(0)} MB`,
      );
    }
    console.log(`ratio tick(100k) / tick(1k): ${(rows[2].tickMs / rows[0].tickMs).toFixed(2)}x`);
    const due = await dueRuns(mkdtempSync(join(dataDir, 'run-')));
    console.log(`\n10k due dummy runs (in-memory queue, concurrency 16, file run log):`);
    console.log(
      `  last run started ${due.lastStartMs.toFixed(0)} ms after the boundary; all finished after ${due.allDoneMs.toFixed(0)} ms`,
    );
    console.log(`  run starts after the boundary: ${due.percentiles}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
