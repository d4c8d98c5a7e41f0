import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { rss } from './process-memory';
import { cpuLine, cpuMark, cpuSince, CpuUse } from './cpu-meter';

const QUEUE = 'reference';

/** One measured minute, of minion or of the reference. */
export interface ReferenceMinute {
  /** Runs started within the window. */
  starts: number;
  lastMs: number;
  p50Ms: number;
  duplicates: number;
  misses: number;
  commandsPerOccurrence: number;
  memory: { rssMiB: number; peakMiB: number }[];
  /** CPU of the processes and of Redis over the window. */
  cpu: CpuUse;
}

function message<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (m[key] === undefined) return;
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
  });
}

export async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/**
 * The reference of bench:distributed: BullMQ's own job schedulers, `jobs` of them with the pattern
 * `* * * * *`, run by `processes` worker processes of concurrency 16, at real minute boundaries (BullMQ's
 * clock cannot be injected). Measures the first `minutes` (2) whole minutes after the schedulers
 * exist: last start after the boundary, duplicates, misses, Redis commands per occurrence (whole server,
 * idle polling included).
 */
export async function measureBullmqSchedulers(
  redis: Redis,
  prefix: string,
  jobs: number,
  processes = 2,
  measured = 2,
): Promise<ReferenceMinute[]> {
  const queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  const workers = Array.from({ length: processes }, () =>
    fork(join(__dirname, 'bullmq-worker.js'), {
      env: { ...process.env, REF_PREFIX: prefix, REF_QUEUE: QUEUE },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const pids = workers.map((w) => w.pid);
  try {
    await Promise.all(workers.map((w) => message(w, 'ready')));
    for (let i = 0; i < jobs; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, jobs - i) }, (_, k) =>
          queue.upsertJobScheduler(
            `job-${i + k}`,
            { pattern: '* * * * *' },
            { name: 'occurrence', opts: { removeOnComplete: { age: 3600 } } },
          ),
        ),
      );
    }
    // Whole minutes only: the first boundary at least 5 s after the schedulers exist.
    let boundary = (Math.floor((Date.now() + 5000) / 60_000) + 1) * 60_000;
    const minutes: ReferenceMinute[] = [];
    for (let m = 0; m < measured; m++, boundary += 60_000) {
      await sleepUntil(boundary - 1000);
      const before = await commandsProcessed(redis);
      const cpuBefore = await cpuMark(redis, pids);
      // The minute is over when every occurrence started, or its runs stopped coming for 2 s
      // after the first (100k delayed iterations take BullMQ seconds to promote), or after 58 s.
      await sleepUntil(boundary + 2000);
      let last = -1;
      let starts: [string, number, number][] = [];
      for (;;) {
        const reports = await Promise.all(
          workers.map((w) => {
            const answer = message<{ starts: [string, number, number][] }>(w, 'starts');
            w.send({ report: true });
            return answer;
          }),
        );
        starts = reports.flatMap((r) => r.starts).filter(([, at]) => at === boundary);
        if (starts.length >= jobs || (starts.length > 0 && starts.length === last)) break;
        if (Date.now() > boundary + 58_000) break;
        last = starts.length;
        await new Promise((r) => setTimeout(r, 2000));
      }
      const after = await commandsProcessed(redis);
      const cpu = await cpuSince(cpuBefore, redis, pids);
      const ids = new Set(starts.map(([id]) => id));
      const lags = starts.map(([, at, t]) => t - at).sort((a, b) => a - b);
      minutes.push({
        starts: starts.length,
        lastMs: lags[lags.length - 1],
        p50Ms: lags[Math.floor(lags.length / 2)],
        duplicates: starts.length - ids.size,
        misses: jobs - ids.size,
        // From 1 s before the boundary to the end of the window (about 5 s after it).
        commandsPerOccurrence: (after - before) / jobs,
        memory: workers.map((w) => rss(w.pid)),
        cpu,
      });
    }
    return minutes;
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((r) => {
            w.once('exit', r);
            w.send({ close: true });
            setTimeout(() => w.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/**
 * minion's minutes beside the reference's, same run: one line per minute, ratio minion / BullMQ
 * where both have a figure. A reference that did not start every occurrence in its window has its
 * last start and p50 taken over the runs it started: read those ratios with its misses.
 */
export function sideBySide(minion: ReferenceMinute[], reference: ReferenceMinute[]): string[] {
  const ratio = (a: number, b: number) => (b > 0 ? ` (${(a / b).toFixed(2)}x)` : '');
  const pair = (a: number, b: number, unit = '') => `${a}${unit} vs ${b}${unit}${ratio(a, b)}`;
  const mib = (m: ReferenceMinute) => m.memory.map((r) => r.rssMiB.toFixed(0)).join('/');
  const largest = (m: ReferenceMinute) => Math.max(...m.memory.map((r) => r.rssMiB));
  return minion.slice(0, reference.length).map((a, i) => {
    const b = reference[i];
    return (
      `minute ${i + 1}: started ${a.starts} vs ${b.starts}; last start ${pair(a.lastMs, b.lastMs, ' ms')}; ` +
      `p50 ${pair(a.p50Ms, b.p50Ms, ' ms')}; duplicates ${a.duplicates} vs ${b.duplicates}; ` +
      `misses ${a.misses} vs ${b.misses}; Redis commands per occurrence ` +
      `${a.commandsPerOccurrence.toFixed(1)} vs ${b.commandsPerOccurrence.toFixed(1)}` +
      `${ratio(a.commandsPerOccurrence, b.commandsPerOccurrence)}; RSS per process ${mib(a)} vs ` +
      `${mib(b)} MiB (largest: ${(largest(a) / largest(b)).toFixed(2)}x); CPU in the window: ` +
      `${cpuLine(a.cpu)} vs ${cpuLine(b.cpu)}`
    );
  });
}
