/**
 * Preload of bench:scale-built's replicas with BENCH_SQLITE_TIMING=DIR (`node --require`): times
 * every better-sqlite3 `run` the replica makes, per wall-clock minute (the minute its call began),
 * and writes the figures to DIR/<pid>.json every 500 ms. better-sqlite3 is synchronous, so this is
 * time the replica's event loop did nothing else. `lock` is the first statement after a BEGIN:
 * there SQLite takes the write lock (WAL, deferred transaction), and while another replica holds it
 * SQLite's busy handler sleeps in that call (1, 2, 5, 10, 15, 20, 25... ms; busy_timeout 5 s), so a
 * `lock` of 1 ms or more (`slow`) is a wait for another process. `commit` appends the transaction
 * to the WAL (and, past 1,000 pages, checkpoints it into the database file).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';

export interface Timing {
  n: number;
  ms: number;
  /** Calls of 1 ms or more. */
  slow: number;
  maxMs: number;
}
export type SqliteMinute = Record<'begin' | 'lock' | 'write' | 'commit', Timing>;

/** Figures per minute, keyed by the minute's ISO time without milliseconds (`...T10:01:00Z`). */
const minutes: Record<string, SqliteMinute> = {};

export function installTiming(dir: string): void {
  const statement = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1')) as {
    run: (...args: unknown[]) => unknown;
  };
  const run = statement.run;
  let afterBegin = false;
  statement.run = function timed(this: { source: string }, ...args: unknown[]) {
    const started = performance.now();
    try {
      return run.apply(this, args);
    } finally {
      const ms = performance.now() - started;
      const kind = this.source.startsWith('BEGIN')
        ? 'begin'
        : this.source === 'COMMIT'
          ? 'commit'
          : afterBegin
            ? 'lock'
            : 'write';
      afterBegin = kind === 'begin';
      note(kind, ms);
    }
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.json`);
  // Through a rename: the bench reads the file while the replica runs, never half written.
  const save = () => {
    writeFileSync(`${file}.tmp`, JSON.stringify(minutes));
    renameSync(`${file}.tmp`, file);
  };
  setInterval(save, 500).unref();
  process.on('exit', save);
}

function note(kind: keyof SqliteMinute, ms: number): void {
  const key = new Date(Math.floor(Date.now() / 60_000) * 60_000)
    .toISOString()
    .replace('.000Z', 'Z');
  const minute = (minutes[key] ??= {
    begin: { n: 0, ms: 0, slow: 0, maxMs: 0 },
    lock: { n: 0, ms: 0, slow: 0, maxMs: 0 },
    write: { n: 0, ms: 0, slow: 0, maxMs: 0 },
    commit: { n: 0, ms: 0, slow: 0, maxMs: 0 },
  });
  const t = minute[kind];
  t.n++;
  t.ms += ms;
  if (ms >= 1) t.slow++;
  if (ms > t.maxMs) t.maxMs = ms;
}

/** One line of a replica's minute: time its event loop spent in SQLite, by kind. */
export function timingLine(m: SqliteMinute | undefined): string {
  if (!m) return 'no SQLite call';
  const f = (t: Timing) => `${t.ms.toFixed(0)} ms`;
  const total = m.begin.ms + m.lock.ms + m.write.ms + m.commit.ms;
  return (
    `${total.toFixed(0)} ms in SQLite: lock ${f(m.lock)} (${m.lock.slow} of ${m.lock.n} ` +
    `transactions waited 1 ms or more, longest ${m.lock.maxMs.toFixed(0)} ms), other writes ` +
    `${f(m.write)} (${m.write.n}), commits ${f(m.commit)} (longest ${m.commit.maxMs.toFixed(0)} ms)`
  );
}

// Set by the bench in the replicas' environment only.
if (process.env.SQLITE_TIMING_DIR) installTiming(process.env.SQLITE_TIMING_DIR);
