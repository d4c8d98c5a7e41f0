/**
 * npm run bench:distributed (10k jobs, 2 replicas), npm run bench:scale (100k jobs, 3 replicas)
 *
 * BENCH_JOBS occurrences (10,000) due in one minute across BENCH_REPLICAS replicas (2) on the
 * Redis at 127.0.0.1:6379 (own key prefix, deleted afterwards), dummy runner, default settings
 * (concurrency 16 per replica, file run log). Both replicas tick the same minute boundary, as
 * they would in production. Reports the time from the boundary to the last run start,
 * duplicates, misses, Redis commands per occurrence (INFO stats, whole server) and each replica's
 * RSS (read from /proc by this process). Then, in the same run on the same Redis, the reference:
 * BullMQ's own job schedulers (as many `* * * * *`, as many worker processes of concurrency 16)
 * at real minute boundaries, measured the same way (BENCH_SKIP_REFERENCE=1 leaves it out, for
 * quick iterations). BENCH_KEY_PREFIX names the Redis keys (deleted afterwards).
 */
import { ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { deleteKeys } from '../test/support/redis';
import { measureBullmqSchedulers } from './support/bullmq-reference';
import { rss } from './support/process-memory';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 2);
const ORG = 'bench';
const count = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

type Message = { ready?: boolean; jobs?: number; ticked?: number; starts?: [string, number][] };

function next(child: ChildProcess, key: keyof Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Message) => {
      if (m[key] === undefined) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
}

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/** calls per command, from INFO commandstats (commands run inside Lua scripts included). */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map(
    [...info.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
  );
}

async function measureMinute(
  redis: Redis,
  replicas: ChildProcess[],
  keyPrefix: string,
  minute: string,
  previousStarts: number,
) {
  const before = await commandsProcessed(redis);
  const statsBefore = await commandStats(redis);
  const boundary = Date.now();
  replicas.forEach((c) => c.send({ tick: minute }));
  const ticked = await Promise.all(replicas.map((c) => next(c, 'ticked')));
  const tickMs = Date.now() - boundary;
  const key = `${keyPrefix}:${ORG}:occurrences`;
  for (;;) {
    const [wait, active, delayed] = await Promise.all([
      redis.llen(`${key}:wait`),
      redis.llen(`${key}:active`),
      redis.zcard(`${key}:delayed`),
    ]);
    if (wait + active + delayed === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const after = await commandsProcessed(redis);
  const statsAfter = await commandStats(redis);
  const top = [...statsAfter.entries()]
    .map(([cmd, calls]) => [cmd, calls - (statsBefore.get(cmd) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([cmd, n]) => `${cmd} ${(n / JOBS).toFixed(1)}`)
    .join(', ');
  const reports = await Promise.all(
    replicas.map((c) => (c.send({ report: true }), next(c, 'starts'))),
  );
  const all = reports.flatMap((r) => r.starts ?? []);
  const starts = all.filter(([id]) => id.endsWith(`@${minute.replace('.000Z', 'Z')}`));
  const counts = new Map<string, number>();
  for (const [id] of starts) counts.set(id, (counts.get(id) ?? 0) + 1);
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  const sorted = starts.map(([, t]) => t - boundary).sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const memory = replicas.map((c) => rss(c.pid));
  return {
    memory,
    startsSoFar: all.length - previousStarts,
    lastMs: sorted[sorted.length - 1],
    perOccurrence: (after - before) / JOBS,
    lines: [
      `all ticks done after ${tickMs} ms (enqueued by each replica: ${ticked.map((t) => t.ticked).join(' / ')}; one claims the tick, the others stand by)`,
      `runs started: ${starts.length}`,
      `last run started ${sorted[sorted.length - 1]} ms after the boundary (p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, p99 ${p(0.99)} ms)`,
      `duplicates: ${duplicates}; misses: ${JOBS - counts.size}`,
      `Redis commands: ${after - before}, ${((after - before) / JOBS).toFixed(1)} per occurrence; by command: ${top}`,
      `RSS per replica (peak so far): ${memory.map((m) => `${m.rssMiB.toFixed(0)} MiB (${m.peakMiB.toFixed(0)})`).join(', ')}`,
    ],
  };
}

function closeReplicas(replicas: ChildProcess[]): Promise<unknown> {
  return Promise.all(
    replicas.map(
      (c) =>
        new Promise((r) => {
          if (c.exitCode !== null) return r(undefined);
          c.once('exit', r);
          c.send({ close: true });
          setTimeout(() => c.kill('SIGKILL'), 15000).unref();
        }),
    ),
  );
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${count(JOBS)} jobs, ${REPLICAS} replica processes; Redis 127.0.0.1:6379`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-dbench-'));
  const keyPrefix = `${process.env.BENCH_KEY_PREFIX ?? 'minion-bench'}-${process.pid}`;
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const replicas: ChildProcess[] = [];
  try {
    const dir = join(dataDir, ORG, 'acct', 'g');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < JOBS; i++) {
      writeFileSync(
        join(dir, `job-${i}`),
        JSON.stringify({
          account: 'acct',
          description: '',
          details: { runner: 'dummyRunner' },
          group: 'g',
          id: `job-${i}`,
          modified_at: '',
          modified_by: '',
          name: `job ${i}`,
          schedule_expression: '* * * * *',
          enabled: true,
        }),
      );
    }
    const config = {
      org: ORG,
      token: 'bench',
      logLevel: 'silent',
      accounts: { acct: { runners: ['dummyRunner'] } },
      jobRunners: { dummyRunner: { type: 'dummy' } },
      jobsRepository: { type: 'file', config: { path: dataDir } },
      queueProvider: { type: 'redis', config: { host: '127.0.0.1', port: 6379, keyPrefix } },
    };
    for (let i = 0; i < REPLICAS; i++) {
      const child = fork(join(__dirname, 'support', 'bench-replica.js'), {
        env: { ...process.env, REPLICA_CONFIG: JSON.stringify(config) },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        execArgv: process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/rprof'] : [],
      });
      replicas.push(child);
    }
    const ready = await Promise.all(replicas.map((c) => next(c, 'ready')));
    console.log(`replicas ready, each indexing ${ready.map((r) => r.jobs).join(' and ')} jobs`);

    // First minute: every job's first run. Second minute: steady state.
    const minutes = ['2026-01-05T10:00:00.000Z', '2026-01-05T10:01:00.000Z'];
    let previous = 0;
    const minion: { lastMs: number; perOccurrence: number; memory: { rssMiB: number }[] }[] = [];
    for (const [i, minute] of minutes.entries()) {
      const result = await measureMinute(redis, replicas, keyPrefix, minute, previous);
      previous += result.startsSoFar;
      minion.push(result);
      console.log(
        `\n${count(JOBS)} occurrences due at one boundary, ${REPLICAS} replicas, ${i === 0 ? 'first minute' : 'second minute (steady state)'}:`,
      );
      for (const line of result.lines) console.log(`  ${line}`);
    }
    await closeReplicas(replicas);
    replicas.length = 0;

    // The reference, same run, same Redis: BullMQ's own job schedulers on as many workers.
    if (process.env.BENCH_SKIP_REFERENCE) return;
    console.log(
      `\nreference: BullMQ job schedulers, ${count(JOBS)} \`* * * * *\`, ${REPLICAS} worker processes (real minutes)`,
    );
    const reference = await measureBullmqSchedulers(redis, `${keyPrefix}-ref`, JOBS, REPLICAS);
    for (const [i, m] of reference.entries()) {
      console.log(
        `  ${i === 0 ? 'first minute' : 'second minute'}: ${m.starts} runs, last start ${m.lastMs} ms ` +
          `(p50 ${m.p50Ms} ms), duplicates ${m.duplicates}, misses ${m.misses}, ` +
          `${m.commandsPerOccurrence.toFixed(1)} Redis commands per occurrence, ` +
          `RSS per worker ${m.memory.map((r) => `${r.rssMiB.toFixed(0)} MiB (${r.peakMiB.toFixed(0)})`).join(', ')}`,
      );
    }
    console.log('\nminion / BullMQ schedulers, same run:');
    for (const i of [0, 1]) {
      console.log(
        `  ${i === 0 ? 'first minute' : 'steady'}: last start ${(minion[i].lastMs / reference[i].lastMs).toFixed(2)}x, ` +
          `Redis commands per occurrence ${minion[i].perOccurrence.toFixed(1)} vs ${reference[i].commandsPerOccurrence.toFixed(1)}, ` +
          `largest RSS ${Math.max(...minion[i].memory.map((m) => m.rssMiB)).toFixed(0)} vs ${Math.max(...reference[i].memory.map((m) => m.rssMiB)).toFixed(0)} MiB`,
      );
    }
  } finally {
    await closeReplicas(replicas);
    await deleteKeys(keyPrefix);
    await deleteKeys(`${keyPrefix}-ref`);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
