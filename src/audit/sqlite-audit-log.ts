import { OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { openWalDatabase } from '../common/sqlite';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { segmentFileName } from '../common/safe-segment';
import { AuditEntry, NewAuditEntry } from './audit-entry';
import { AuditLog, AuditPage } from './audit-log';
import { JobKey } from '../domain/job-key';

/** `entry_id`s sort as strings in the order they were written. */
const cursor = (seq: number) => String(seq).padStart(20, '0');

/**
 * The audit trail in one SQLite file, `<data>/.audit/<org>.sqlite` (WAL: the API reads while the
 * writes go on; replicas sharing the directory take turns). One row per entry, indexed by account
 * and by job; the entries of one event-loop turn go in one transaction (under load, one commit for
 * many writes). Opened by the first use.
 */
export class SqliteAuditLog extends AuditLog implements OnApplicationShutdown {
  private readonly file: string;
  private store?: AuditStore;
  /** Entries of this turn of the event loop, written in one transaction (one WAL commit). */
  private pending?: { entries: NewAuditEntry[]; done: Promise<void> };

  constructor(dir: string, org: string) {
    super();
    this.file = join(resolve(dir), `${segmentFileName(org)}.sqlite`);
  }

  record(entry: NewAuditEntry): Promise<void> {
    if (!this.pending) {
      const entries: NewAuditEntry[] = [];
      const done = new Promise<void>((resolve, reject) =>
        setImmediate(() => {
          this.pending = undefined;
          try {
            this.open().insertAll(entries);
            resolve();
          } catch (err) {
            reject(err as Error);
          }
        }),
      );
      this.pending = { entries, done };
    }
    this.pending.entries.push(entry);
    return this.pending.done;
  }

  async history(key: JobKey, limit: number): Promise<AuditEntry[]> {
    return this.open().history(key, limit);
  }

  async list(
    account: string,
    query: { since?: Date; limit: number; startAfter?: string },
  ): Promise<AuditPage> {
    const after = query.startAfter ? Number(query.startAfter) : 0;
    const rows = this.open().list(
      account,
      query.since?.toISOString() ?? '',
      after,
      query.limit + 1,
    );
    const entries = rows.slice(0, query.limit);
    return {
      entries,
      next: rows.length > query.limit ? entries[entries.length - 1].entry_id : undefined,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pending?.done.catch(() => undefined);
    this.store?.close();
    this.store = undefined;
  }

  private open(): AuditStore {
    if (!this.store) {
      mkdirSync(join(this.file, '..'), { recursive: true });
      this.store = new AuditStore(this.file);
    }
    return this.store;
  }
}

class AuditStore {
  private readonly db: Database.Database;
  private readonly insertRow: Database.Statement<[string, string, string | null, string, string]>;
  private readonly byJob: Database.Statement<[string, string, string, number], Row>;
  private readonly byAccount: Database.Statement<[string, number, string, number], Row>;
  readonly insertAll: (entries: NewAuditEntry[]) => void;

  constructor(file: string) {
    this.db = openWalDatabase(file);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, account TEXT NOT NULL,
         grp TEXT NOT NULL, id TEXT, at TEXT NOT NULL, entry TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS audit_by_account ON audit (account, seq);
       CREATE INDEX IF NOT EXISTS audit_by_job ON audit (account, grp, id, seq);`,
    );
    this.insertRow = this.db.prepare(
      'INSERT INTO audit (account, grp, id, at, entry) VALUES (?, ?, ?, ?, ?)',
    );
    this.byJob = this.db.prepare(
      'SELECT seq, entry FROM audit WHERE account = ? AND grp = ? AND id = ? ORDER BY seq DESC LIMIT ?',
    );
    this.byAccount = this.db.prepare(
      'SELECT seq, entry FROM audit WHERE account = ? AND seq > ? AND at >= ? ORDER BY seq LIMIT ?',
    );
    this.insertAll = this.db.transaction((entries: NewAuditEntry[]) => {
      for (const e of entries)
        this.insertRow.run(e.account, e.group, e.id, e.at, JSON.stringify(e));
    });
  }

  history(key: JobKey, limit: number): AuditEntry[] {
    return this.byJob.all(key.account, key.group, key.id, limit).map(entryOf);
  }

  list(account: string, since: string, after: number, limit: number): AuditEntry[] {
    return this.byAccount.all(account, after, since, limit).map(entryOf);
  }

  close(): void {
    this.db.close();
  }
}

interface Row {
  seq: number;
  entry: string;
}

function entryOf(row: Row): AuditEntry {
  return { entry_id: cursor(row.seq), ...(JSON.parse(row.entry) as NewAuditEntry) };
}
