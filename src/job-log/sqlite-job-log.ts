import { Logger, OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { openWalDatabase } from '../common/sqlite';
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { segmentFileName } from '../common/safe-segment';
import { jobRef } from '../domain/job-key';
import { JobLog } from './job-log';
import { importLegacyFiles } from './legacy-file-runs';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { JobKey } from '../domain/job-key';

/** Records gathered before a batch is committed at once... */
const BATCH_MAX = 1000;
/** ...or this long after its first record: history shows a run within about this delay. */
const BATCH_DELAY_MS = 20;
/** `log` of a job is read from the database again after this long (another process may write). */
const INFO_TTL_MS = 10_000;
/** Jobs whose `log` info is kept. */
const INFO_CACHE_SIZE = 100_000;

interface Batch {
  jobs: string[];
  records: string[];
  committed: boolean;
  done: Promise<void>;
  settle: (err?: Error) => void;
}

interface CachedInfo {
  runs: number;
  bytes: number;
  last: RunLogInfo['last_run'];
  readAt: number;
}

/**
 * Embedded default run log: one SQLite database per org at `<path>/<org>.sqlite` (WAL), table
 * `runs(seq, job, record)` indexed by job. Records are inserted in batches (one transaction per
 * up to 1000 records or 20 ms), so 10k runs in a minute cost a few transactions, not 10k file
 * opens. Every `keepRuns` appends to a job (per process) its oldest records beyond `keepRuns` are
 * deleted, so the newest `keepRuns` are always kept and a job never holds twice that. `log` info
 * is cached and kept current by the appends. Logs of deleted jobs stay unless `deleteLogs` is set.
 * JSON-lines files written by earlier versions (`<path>/<org>/<account>/<group>/<id>.jsonl`) are
 * imported once at startup, before any read or write.
 */
export class SqliteJobLog extends JobLog implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteJobLog.name);
  private readonly dir: string;
  private readonly file: string;
  /** Opened by the first write, or the first read once the file exists: an idle app writes nothing. */
  private store?: RunsStore;
  private readonly appendsSinceCheck = new Map<string, number>();
  private readonly info = new Map<string, CachedInfo>();
  private readonly ready: Promise<void>;
  private open?: Batch;
  /** Every batch not yet written: open, full and waiting for its turn, or waiting for `ready`. */
  private readonly unsettled = new Set<Batch>();
  private closed = false;

  constructor(
    path: string,
    org: string,
    private readonly keepRuns: number,
    private readonly deleteLogs = false,
  ) {
    super();
    this.dir = resolve(path);
    this.file = join(this.dir, `${segmentFileName(org)}.sqlite`);
    const legacy = join(this.dir, segmentFileName(org));
    this.ready = importLegacyFiles(legacy, (job, records) =>
      this.writable().importRecords(jobRef(job), records),
    ).then(
      (n) => {
        if (n > 0) this.logger.log(`imported the run history of ${n} job(s) from ${legacy}`);
      },
      (err: Error) =>
        this.logger.error(`could not import run history from ${legacy}: ${err.message}`),
    );
  }

  protected write(key: JobKey, record: RunRecord): Promise<void> {
    const job = jobRef(key);
    const json = JSON.stringify(record);
    this.noteAppended(job, record, json.length);
    let batch = this.open;
    if (!batch) {
      batch = this.open = newBatch();
      this.unsettled.add(batch);
      const timed = batch;
      setTimeout(() => void this.commit(timed), BATCH_DELAY_MS);
    }
    batch.jobs.push(job);
    batch.records.push(json);
    if (batch.jobs.length >= BATCH_MAX) {
      const full = batch;
      this.open = undefined;
      setImmediate(() => void this.commit(full));
    }
    return batch.done;
  }

  async list(key: JobKey, limit: number): Promise<RunRecord[]> {
    await this.ready;
    const records = this.readable()?.recent(jobRef(key), limit) ?? [];
    return records.map(parseRecord).filter((r): r is RunRecord => r !== null);
  }

  async describe(key: JobKey): Promise<RunLogInfo | null> {
    const job = jobRef(key);
    let info = this.info.get(job);
    if (!info || Date.now() - info.readAt > INFO_TTL_MS) {
      await this.ready;
      info = this.readInfo(job);
    }
    if (info.runs === 0) return null;
    return {
      type: 'file',
      name: relative(process.cwd(), this.file) || this.file,
      runs: info.runs,
      bytes: info.bytes,
      last_run: info.last,
    };
  }

  async jobSaved(): Promise<void> {
    // Nothing to prepare: a job's rows come with its first run.
  }

  async jobDeleted(key: JobKey): Promise<void> {
    if (!this.deleteLogs) return;
    await this.ready;
    // Records of the job still waiting in a batch go first, so none outlives the delete.
    await this.commitUnsettled();
    const job = jobRef(key);
    this.readable()?.deleteJob(job);
    this.info.delete(job);
    this.appendsSinceCheck.delete(job);
  }

  /** After the scheduler flushed the history (beforeApplicationShutdown). */
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    await this.ready;
    await this.commitUnsettled();
    this.closed = true;
    this.store?.close();
  }

  private async commit(batch: Batch): Promise<void> {
    if (batch.committed) return;
    batch.committed = true;
    if (this.open === batch) this.open = undefined;
    await this.ready;
    try {
      this.writable().insertBatch(batch.jobs, batch.records, (job) => this.pruneDue(job));
      batch.settle();
    } catch (err) {
      batch.settle(err as Error);
    } finally {
      this.unsettled.delete(batch);
    }
  }

  /**
   * Commits every batch not yet written and waits for them: the open one, a full one waiting for
   * its turn, and one whose commit already began but still waits for `ready` (a commit started
   * by its timer while a delete waited too). Only those that exist now: a stream of new runs
   * does not hold a delete or a shutdown back.
   */
  private async commitUnsettled(): Promise<void> {
    const batches = [...this.unsettled];
    await Promise.all(batches.map((b) => this.commit(b).then(() => b.done.catch(() => undefined))));
  }

  /** Every `keepRuns` appends to a job: whether its oldest records are trimmed now. */
  private pruneDue(job: string): number | null {
    const appends = (this.appendsSinceCheck.get(job) ?? 0) + 1;
    if (appends < this.keepRuns) {
      this.appendsSinceCheck.set(job, appends);
      return null;
    }
    this.appendsSinceCheck.set(job, 0);
    this.info.delete(job);
    return this.keepRuns;
  }

  private noteAppended(job: string, record: RunRecord, bytes: number): void {
    const info = this.info.get(job);
    if (!info) return;
    info.runs++;
    info.bytes += bytes;
    info.last = lastRun(record);
  }

  private readInfo(job: string): CachedInfo {
    const store = this.readable();
    const stats = store?.stats(job) ?? { runs: 0, bytes: 0 };
    const [newest] = store?.recent(job, 1) ?? [];
    const last = newest ? parseRecord(newest) : null;
    const info: CachedInfo = { ...stats, last: last ? lastRun(last) : null, readAt: Date.now() };
    // Bounded: past this many jobs described, start again (each entry is read back on demand).
    if (this.info.size >= INFO_CACHE_SIZE) this.info.clear();
    this.info.set(job, info);
    return info;
  }

  private writable(): RunsStore {
    if (this.closed) throw new Error('the run log is closed');
    if (!this.store) {
      mkdirSync(this.dir, { recursive: true });
      this.store = new RunsStore(this.file);
    }
    return this.store;
  }

  /** The store, or null while nothing was ever written (no file is created to read nothing). */
  private readable(): RunsStore | null {
    if (this.store || this.closed) return this.store ?? null;
    return existsSync(this.file) ? this.writable() : null;
  }
}

/** The database and its prepared statements. */
class RunsStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, string]>;
  private readonly prune: Database.Statement<[string, string, number]>;
  private readonly selectRecent: Database.Statement<[string, number], { record: string }>;
  private readonly selectStats: Database.Statement<[string], { runs: number; bytes: number }>;
  private readonly deleteRows: Database.Statement<[string]>;
  readonly insertBatch: (
    jobs: string[],
    records: string[],
    pruneDue: (job: string) => number | null,
  ) => void;
  readonly importRecords: (job: string, records: string[]) => void;

  constructor(file: string) {
    this.db = openWalDatabase(file);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS runs (seq INTEGER PRIMARY KEY, job TEXT NOT NULL, record TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, seq);`,
    );
    this.insert = this.db.prepare('INSERT INTO runs (job, record) VALUES (?, ?)');
    // Keeps the newest `keep` rows of the job.
    this.prune = this.db.prepare(
      `DELETE FROM runs WHERE job = ? AND seq <
         (SELECT seq FROM runs WHERE job = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    );
    this.selectRecent = this.db.prepare(
      'SELECT record FROM runs WHERE job = ? ORDER BY seq DESC LIMIT ?',
    );
    this.selectStats = this.db.prepare(
      'SELECT count(*) AS runs, coalesce(sum(length(record)), 0) AS bytes FROM runs WHERE job = ?',
    );
    this.deleteRows = this.db.prepare('DELETE FROM runs WHERE job = ?');
    this.insertBatch = this.db.transaction((jobs: string[], records: string[], pruneDue) => {
      for (let i = 0; i < jobs.length; i++) {
        this.insert.run(jobs[i], records[i]);
        const keep = pruneDue(jobs[i]);
        if (keep !== null) this.prune.run(jobs[i], jobs[i], keep - 1);
      }
    });
    this.importRecords = this.db.transaction((job: string, records: string[]) => {
      for (const r of records) this.insert.run(job, r);
    });
  }

  recent(job: string, limit: number): string[] {
    return this.selectRecent.all(job, limit).map((row) => row.record);
  }

  stats(job: string): { runs: number; bytes: number } {
    return this.selectStats.get(job) ?? { runs: 0, bytes: 0 };
  }

  deleteJob(job: string): void {
    this.deleteRows.run(job);
  }

  close(): void {
    this.db.close();
  }
}

function newBatch(): Batch {
  let settle!: (err?: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err ? reject(err) : resolve());
  });
  // Failures reach each append's own catch in JobLog; this one only keeps Node quiet.
  done.catch(() => undefined);
  return { jobs: [], records: [], committed: false, done, settle };
}

function lastRun(r: RunRecord): RunLogInfo['last_run'] {
  return { status: r.status, finished_at: r.finished_at, run_id: r.run_id };
}

function parseRecord(json: string): RunRecord | null {
  try {
    return JSON.parse(json) as RunRecord;
  } catch {
    return null;
  }
}
