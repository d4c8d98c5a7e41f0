/**
 * npm run bench:repository
 *
 * Cache load of 10,000 jobs from an S3 protocol server (s3rver, in its own process) through the
 * real S3 repository and job cache: bounded-parallel reads (the default, 32 at a time) versus one
 * at a time (the original's approach). Two settings:
 *  - bare loopback: s3rver answers in ~1 ms of its own CPU and both processes saturate the two
 *    cores, so this measures CPU, not waiting;
 *  - 10 ms per request, standing in for S3's network latency (what parallel reads exist to hide).
 * The CPU time of both processes is reported too.
 */
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { SystemClock } from '../src/common/clock';
import { loadConfig } from '../src/config/config.loader';
import { JobChanges } from '../src/domain/job-changes';
import { S3JobsRepository } from '../src/repository/s3-jobs.repository';
import { RunnerRegistry } from '../src/runners/runner-registry';
import { JobCache } from '../src/job-cache/job-cache.service';
import { Accounts } from '../src/domain/accounts';
import { JobCacheMetrics } from '../src/job-cache/job-cache.metrics';
import { MetricsRegistry } from '../src/metrics/metrics-registry';
import { TestS3 } from '../test/support/s3-server';

const JOBS = 10_000;
const ACCOUNTS = ['a1', 'a2', 'a3', 'a4'];

function config(s3: TestS3, loadConcurrency: number) {
  return loadConfig({
    argv: [],
    cwd: '/',
    env: {
      API_CONFIG: JSON.stringify({
        org: 'bench',
        token: 't',
        logLevel: 'silent',
        accounts: Object.fromEntries(ACCOUNTS.map((a) => [a, { runners: ['dummyRunner'] }])),
        jobRunners: { dummyRunner: { type: 'dummy' } },
        jobsRepository: { type: 's3', config: s3.options('minion') },
        scheduler: { loadConcurrency },
      }),
    },
  });
}

/** User+system CPU seconds of a process (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Load {
  ms: number;
  clientCpu: number;
  serverCpu: number;
}

async function timeLoad(s3: TestS3, loadConcurrency: number): Promise<Load> {
  const c = config(s3, loadConcurrency);
  const repo = new S3JobsRepository(s3.settings('minion'), c.org);
  const cache = new JobCache(
    c.jobCache,
    new Accounts(c.accounts),
    repo,
    new JobChanges(),
    new JobCacheMetrics(new MetricsRegistry()),
    new SystemClock(),
    RunnerRegistry.fromConfig(c),
  );
  const server = s3.pid as number;
  const [client0, server0] = [cpuSeconds(process.pid), cpuSeconds(server)];
  const started = process.hrtime.bigint();
  if (!(await cache.load())) throw new Error(`load failed: ${cache.lastLoadError}`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (cache.size !== JOBS) throw new Error(`loaded ${cache.size} jobs, expected ${JOBS}`);
  return {
    ms,
    clientCpu: cpuSeconds(process.pid) - client0,
    serverCpu: cpuSeconds(server) - server0,
  };
}

async function seed(s3: TestS3): Promise<void> {
  const repo = new S3JobsRepository(s3.settings('minion'), 'bench');
  for (let i = 0; i < JOBS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => {
        const n = i + k;
        return repo.create({
          account: ACCOUNTS[n % ACCOUNTS.length],
          description: 'bench',
          details: { runner: 'dummyRunner' },
          group: `g${n % 50}`,
          id: `job-${n}`,
          modified_at: '2026-01-01T00:00:00Z',
          modified_by: 'bench',
          name: `job ${n}`,
          schedule_expression: `${n % 60} * * * *`,
          enabled: true,
        });
      }),
    );
  }
}

const median = (xs: Load[]) => [...xs].sort((a, b) => a.ms - b.ms)[Math.floor(xs.length / 2)];
const show = (l: Load) =>
  `${(l.ms / 1000).toFixed(1)} s (client CPU ${l.clientCpu.toFixed(1)} s, s3rver CPU ${l.serverCpu.toFixed(1)} s)`;

async function compare(label: string, s3: TestS3, rounds: number): Promise<void> {
  await timeLoad(s3, 32); // warm-up: JIT, connections, s3rver's md5 side files
  const parallel: Load[] = [];
  const serial: Load[] = [];
  for (let round = 0; round < rounds; round++) {
    parallel.push(await timeLoad(s3, 32));
    serial.push(await timeLoad(s3, 1));
  }
  const p = median(parallel);
  const s = median(serial);
  console.log(`\n${label} (median of ${rounds}):`);
  console.log(`  32 parallel reads: ${show(p)}`);
  console.log(`  one at a time:     ${show(s)}`);
  console.log(`  speed-up: ${(s.ms / p.ms).toFixed(1)}x`);
}

async function main() {
  console.log(`node ${process.version}, ${cpus().length} cpus; s3rver in a child process`);
  const bare = await TestS3.start();
  try {
    const started = Date.now();
    await seed(bare);
    console.log(`seeded ${JOBS} jobs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await compare('bare loopback', bare, 3);
    await bare.stop();
    const slow = await TestS3.start(bare.directory, 10);
    try {
      await compare('10 ms per request (S3-like latency)', slow, 1);
    } finally {
      await slow.stop();
    }
  } finally {
    await bare.destroy();
  }
}

void main();
