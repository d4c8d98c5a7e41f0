/**
 * npm run bench:scale-built
 *
 * The minute boundary of bench:scale measured from outside the processes: BENCH_REPLICAS (3)
 * replicas of the built app (`node dist/main.js -config FILE`, NODE_ENV=production, real clock,
 * as a user starts them) on one data dir holding BENCH_JOBS (100,000) every-minute jobs of the
 * dummy runner and one Redis key prefix (127.0.0.1:6379, deleted afterwards), default settings
 * (log level `info`: the startup line names the port). Once
 * every replica's `/health/ready` reports the job cache loaded, the next BENCH_MINUTES (2) real
 * minute boundaries are measured from the run records the replicas write into the shared SQLite
 * run log: last start after the minute (`started_at - scheduled_for`), duplicates (an occurrence
 * with more than one record), misses (a job without a record, or a `missed` record), Redis
 * commands per occurrence (INFO stats, whole server, from 2 s before the minute to its last
 * record), each replica's RSS from /proc and the CPU of each replica and of Redis over the window.
 * Then, replicas stopped (they would share the cores), the reference in the same run: BullMQ's
 * own job schedulers (`bench/support/bullmq-reference.ts`), as many `* * * * *` schedulers as
 * jobs, as many worker processes (concurrency 16) as replicas, on the same Redis under its own key
 * prefix (deleted afterwards), as many real minutes, printed beside minion's with ratios
 * (BENCH_REFERENCE=0 leaves it out).
 * BENCH_BATCH_FROM sets `queueProvider.config.batchFrom` (unset: minion's default, 5000, so the
 * 100,000-occurrence tick is batched; 0: one BullMQ job per occurrence),
 * BENCH_CONCURRENCY `scheduler.concurrency`, BENCH_CPU_PROF=DIR a `--cpu-prof` of each replica,
 * BENCH_MAIN another build's main.js (an A/B of two builds; `npx nest build` first either way),
 * BENCH_SQLITE_TIMING=DIR the time each replica's event loop spent in SQLite during each minute
 * (waits for the shared run log's write lock apart: `bench/support/sqlite-timing.ts`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { DEFAULT_BATCH_FROM } from '../src/coordination/redis-provider.config';
import { BuiltApp, startBuiltApp } from '../test/support/built-app';
import { deleteKeys } from '../test/support/redis';
import {
  commandsProcessed,
  measureBullmqSchedulers,
  ReferenceMinute,
  sideBySide,
} from './support/bullmq-reference';
import { cpuLine, cpuMark, cpuSince } from './support/cpu-meter';
import { rss } from './support/process-memory';
import { SqliteMinute, timingLine } from './support/sqlite-timing';
import { BENCH_CONFIG, seedJobs } from './support/seed-jobs';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const MINUTES = Number(process.env.BENCH_MINUTES ?? 2);
/** `queueProvider.config.batchFrom`: unset, minion's default; 0 queues one job per occurrence. */
const BATCH_FROM = process.env.BENCH_BATCH_FROM ? Number(process.env.BENCH_BATCH_FROM) : undefined;
/** `scheduler.concurrency` (runs acting at once per replica; minion's default is 16). */
const CONCURRENCY = process.env.BENCH_CONCURRENCY
  ? Number(process.env.BENCH_CONCURRENCY)
  : undefined;
const REFERENCE = process.env.BENCH_REFERENCE !== '0';
/** Where the replicas' SQLite timings go (bench/support/sqlite-timing.ts); unset: not timed. */
const SQLITE_TIMING = process.env.BENCH_SQLITE_TIMING;
const ORG = 'bench';
/** dist/main.js of this checkout (this file runs from dist-bench/bench). */
const BUILT_MAIN = process.env.BENCH_MAIN
  ? resolve(process.env.BENCH_MAIN)
  : resolve(__dirname, '..', '..', 'dist', 'main.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A replica's SQLite time in `minute`, from the file its preload writes every 500 ms. */
function sqliteMinute(pid: number, minute: string): SqliteMinute | undefined {
  const file = join(SQLITE_TIMING ?? '', `${pid}.json`);
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as Record<string, SqliteMinute>)[minute];
}

/** Calls per command (INFO commandstats: commands run inside Lua scripts count too). */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1], Number(m[2]));
  return calls;
}

async function loaded(app: BuiltApp): Promise<boolean> {
  const res = await fetch(`${app.url}/health/ready`).catch(() => null);
  if (res?.status !== 200) return false;
  const body = (await res.json()) as { details?: { scheduler?: { loaded?: boolean } } };
  return body.details?.scheduler?.loaded === true;
}

/**
 * Seconds the replica's ticks took so far (`minion_tick_duration_seconds_sum`: from the end of a
 * tick's planning to its last chunk enqueued; a stand-by's ends once another replica claimed it).
 */
async function tickSeconds(app: BuiltApp): Promise<number> {
  const res = await fetch(`${app.url}/metrics`).catch(() => null);
  const text = res?.ok ? await res.text() : '';
  return Number(/^minion_tick_duration_seconds_sum(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? NaN);
}

interface Run {
  run_id: string;
  scheduled_for: string | null;
  status: string;
  started_at: string;
}

/** Reads the shared run log as it grows (read-only; the replicas write it in WAL mode). */
class RunReader {
  private db?: Database.Database;
  private seq = 0;
  readonly byMinute = new Map<string, Run[]>();

  constructor(private readonly file: string) {}

  poll(): void {
    let rows: { seq: number; record: string }[];
    try {
      this.db ??= new Database(this.file, { readonly: true, fileMustExist: true });
      rows = this.db
        .prepare('SELECT seq, record FROM runs WHERE seq > ? ORDER BY seq')
        .all(this.seq) as { seq: number; record: string }[];
    } catch {
      return; // not written yet (no file, or no table yet)
    }
    for (const row of rows) {
      this.seq = row.seq;
      const run = JSON.parse(row.record) as Run;
      const list = this.byMinute.get(run.scheduled_for ?? '') ?? [];
      list.push(run);
      this.byMinute.set(run.scheduled_for ?? '', list);
    }
  }

  close(): void {
    this.db?.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `node ${process.version}, ${cpus().length} cpus; ${JOBS} jobs, ${REPLICAS} replicas of ` +
      `${BUILT_MAIN}; Redis 127.0.0.1:6379; batchFrom ${BATCH_FROM ?? `default (${DEFAULT_BATCH_FROM})`}; ` +
      `concurrency ${CONCURRENCY ?? 'default'}`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'minion-scale-'));
  const keyPrefix = `${process.env.BENCH_KEY_PREFIX ?? 'minion-bench'}-${process.pid}`;
  const redis = new Redis({ host: '127.0.0.1', port: 6379 });
  const apps: BuiltApp[] = [];
  const pids = () => apps.map((a) => a.pid);
  const minion: ReferenceMinute[] = [];
  const reader = new RunReader(join(dataDir, '.runs', `${ORG}.sqlite`));
  try {
    seedJobs(dataDir, ORG, JOBS);
    const config = {
      ...BENCH_CONFIG,
      ...(CONCURRENCY ? { scheduler: { concurrency: CONCURRENCY } } : {}),
      queueProvider: {
        type: 'redis',
        config: {
          host: '127.0.0.1',
          port: 6379,
          keyPrefix,
          ...(BATCH_FROM === undefined ? {} : { batchFrom: BATCH_FROM }),
        },
      },
    };
    // The replicas' first tick is the measured minute: the schedule marker says every minute
    // up to three boundaries from now is planned already (the start of a replica that loads
    // just after a boundary would otherwise run that minute, whose backlog the measured one
    // then waits behind). The loads seen take 10-70 s.
    const quietUntil = (Math.floor(Date.now() / 60_000) + 3) * 60_000;
    await redis.set(`${keyPrefix}:${ORG}:scheduler:last-minute`, String(quietUntil));
    const spawned = Date.now();
    for (let i = 0; i < REPLICAS; i++) {
      apps.push(
        await startBuiltApp(BUILT_MAIN, config, {
          dataDir,
          org: ORG,
          nodeArgs: [
            ...(process.env.BENCH_CPU_PROF
              ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
              : []),
            ...(SQLITE_TIMING ? ['--require', join(__dirname, 'support', 'sqlite-timing.js')] : []),
          ],
          env: SQLITE_TIMING ? { SQLITE_TIMING_DIR: SQLITE_TIMING } : {},
        }),
      );
    }
    while (!(await Promise.all(apps.map(loaded))).every(Boolean)) {
      if (Date.now() - spawned > 600_000) throw new Error('replicas not loaded in 10 min');
      await sleep(200);
    }
    console.log(
      `all ${REPLICAS} replicas ready with the cache loaded after ${Date.now() - spawned} ms`,
    );

    // Whole minutes only: the first at least 5 s after every replica has loaded.
    let boundary = Math.max(
      quietUntil + 60_000,
      (Math.floor((Date.now() + 5000) / 60_000) + 1) * 60_000,
    );
    for (let m = 0; m < MINUTES; m++, boundary += 60_000) {
      await sleep(boundary - 2000 - Date.now());
      const before = await commandsProcessed(redis);
      const statsBefore = await commandStats(redis);
      const cpuBefore = await cpuMark(redis, pids());
      const ticksBefore = await Promise.all(apps.map(tickSeconds));
      const minute = new Date(boundary).toISOString().replace('.000Z', 'Z');
      // Over when every job has a record, or nothing came for 10 s, or the next minute is near.
      let count = -1;
      let still = Date.now();
      for (;;) {
        await sleep(500);
        reader.poll();
        const n = reader.byMinute.get(minute)?.length ?? 0;
        if (n !== count) [count, still] = [n, Date.now()];
        const ids = new Set(reader.byMinute.get(minute)?.map((r) => r.run_id));
        if (ids.size >= JOBS && Date.now() - still > 2000) break;
        // No record yet is not "nothing came": the first can take longer than 10 s to come.
        if ((count > 0 && Date.now() - still > 10_000) || Date.now() > boundary + 57_000) break;
      }
      const after = await commandsProcessed(redis);
      const statsAfter = await commandStats(redis);
      const cpu = await cpuSince(cpuBefore, redis, pids());
      const ticks = await Promise.all(apps.map(tickSeconds));
      const runs = reader.byMinute.get(minute) ?? [];
      // Runs of another minute started in this one's window shared the machine with it: not a
      // clean measure. (Those of an earlier measured minute that ended before it are no matter.)
      const others = [...reader.byMinute]
        .filter(([m]) => m !== minute)
        .map(([m, l]) => [m, l.filter((r) => Date.parse(r.started_at) >= boundary - 2000)] as const)
        .filter(([, l]) => l.length > 0);
      if (others.length > 0) {
        const counts = others.map(([m, l]) => `${m || 'none'}: ${l.length}`).join(', ');
        console.log(`  WARNING: runs of other minutes started in this window (${counts})`);
      }
      if (runs.length === 0) {
        // Nothing for this minute: say what the run log holds, so a bench that reads the wrong
        // place or format does not pass for a scheduler that ran nothing.
        const minutes = [...reader.byMinute].map(([m, l]) => `${m || 'none'}: ${l.length}`);
        console.log(
          `  no record for ${minute}; the run log has ${minutes.join(', ') || 'nothing'}`,
        );
      }
      const started = runs.filter((r) => r.status !== 'missed');
      const perId = new Map<string, number>();
      for (const r of started) perId.set(r.run_id, (perId.get(r.run_id) ?? 0) + 1);
      const lags = started.map((r) => Date.parse(r.started_at) - boundary).sort((a, b) => a - b);
      const p = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))];
      console.log(`\nminute ${minute} (${m === 0 ? 'first' : 'steady state'}):`);
      console.log(
        `  runs recorded: ${runs.length} (missed records: ${runs.length - started.length})`,
      );
      console.log(
        `  first run started ${lags[0]} ms, last ${lags[lags.length - 1]} ms after the minute ` +
          `(p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, p99 ${p(0.99)} ms)`,
      );
      console.log(
        `  duplicates: ${[...perId.values()].filter((n) => n > 1).length}; ` +
          `misses: ${JOBS - perId.size}`,
      );
      console.log(
        `  Redis commands: ${after - before}, ${((after - before) / JOBS).toFixed(1)} per occurrence`,
      );
      const byCommand = [...statsAfter]
        .map(([cmd, n]) => [cmd, (n - (statsBefore.get(cmd) ?? 0)) / JOBS] as const)
        .filter(([, n]) => n >= 0.05)
        .sort((a, b) => b[1] - a[1]);
      console.log(
        `  by command, per occurrence (scripts' calls included): ` +
          byCommand.map(([cmd, n]) => `${cmd} ${n.toFixed(1)}`).join(', '),
      );
      const memory = apps.map((a) => rss(a.pid));
      console.log(
        `  RSS per replica (peak so far): ${memory.map((r) => `${r.rssMiB.toFixed(0)} MiB (${r.peakMiB.toFixed(0)})`).join(', ')}`,
      );
      console.log(
        `  tick (plan to last chunk enqueued) per replica: ` +
          ticks.map((t, i) => `${(t - ticksBefore[i]).toFixed(1)} s`).join(', '),
      );
      console.log(`  CPU (2 s before the minute to its last record): ${cpuLine(cpu)}`);
      if (SQLITE_TIMING) {
        await sleep(600); // the preloads write their figures every 500 ms
        for (const a of apps)
          console.log(`  replica ${a.pid}: ${timingLine(sqliteMinute(a.pid, minute))}`);
      }
      minion.push({
        starts: started.length,
        lastMs: lags[lags.length - 1],
        p50Ms: p(0.5),
        duplicates: [...perId.values()].filter((n) => n > 1).length,
        misses: JOBS - perId.size,
        commandsPerOccurrence: (after - before) / JOBS,
        memory,
        cpu,
      });
    }
    // The reference, same run, same Redis, the replicas gone: they would share the cores.
    await Promise.all(apps.map((a) => a.stop()));
    if (!REFERENCE) return;
    console.log(
      `\nreference: BullMQ job schedulers, ${JOBS} \`* * * * *\`, ${REPLICAS} worker processes ` +
        `(concurrency 16), ${MINUTES} real minutes`,
    );
    const reference = await measureBullmqSchedulers(
      redis,
      `${keyPrefix}-ref`,
      JOBS,
      REPLICAS,
      MINUTES,
    );
    console.log('\nminion vs BullMQ job schedulers, same run (ratio minion / BullMQ):');
    for (const line of sideBySide(minion, reference)) console.log(`  ${line}`);
  } finally {
    reader.close();
    await Promise.all(apps.map((a) => a.stop()));
    await deleteKeys(keyPrefix);
    await deleteKeys(`${keyPrefix}-ref`);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
