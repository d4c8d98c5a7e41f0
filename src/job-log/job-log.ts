import { Logger } from '@nestjs/common';
import { JobDocument, Tag } from '../domain/job-document';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { JobKey } from '../domain/job-key';

/** What a store holds back while its backend cannot take records (the CloudWatch outbox). */
export interface HeldRecords {
  /** Held in memory now. */
  readonly buffered: number;
  /** In the spill file now, not delivered yet. */
  readonly spilled: number;
  /** Since start: records held, written to the spill file, delivered later, dropped. */
  readonly totals: {
    readonly held: number;
    readonly spilled: number;
    readonly delivered: number;
    readonly dropped: number;
  };
}

/** Records being written at most before `append` makes its caller wait (backpressure). */
const MAX_BACKLOG = 10_000;
const FAILURE_LOG_INTERVAL_MS = 5000;

/**
 * Port for run history: every attempt's outcome, per job. Implementations: SQLite (embedded
 * default, `logProvider.type: file`), CloudWatch Logs. Records are written in the background, in order per
 * job, so a slow disk or CloudWatch never holds a run's slot; `flush` waits for them (shutdown).
 * A record that cannot be written is logged and counted, never thrown at the run path.
 */
export abstract class JobLog {
  private readonly writeLogger = new Logger(JobLog.name);
  private readonly writing = new Set<Promise<void>>();
  private failures = 0;
  private lastLogged = 0;
  private unlogged = 0;

  /**
   * Queues a record. Resolves at once, unless the log has fallen far behind: then when this
   * record is written. Never rejects.
   */
  append(key: JobKey, record: RunRecord): Promise<void> {
    const write = this.queue(key, record);
    return this.writing.size > MAX_BACKLOG ? write : Promise.resolve();
  }

  /** As `append`, resolving once this record is written (or held, or counted as failed). */
  appendWritten(key: JobKey, record: RunRecord): Promise<void> {
    return this.queue(key, record);
  }

  private queue(key: JobKey, record: RunRecord): Promise<void> {
    const write = this.write(key, record).catch((err: Error) => this.failed(record, err));
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
    return write;
  }

  /** Records held because the store cannot take them now (CloudWatch down); null: never. */
  get heldRecords(): HeldRecords | null {
    return null;
  }

  /** Records that could not be written, since start (`minion_run_log_write_failures_total`). */
  get writeFailures(): number {
    return this.failures;
  }

  /** Counted always; logged at most every few seconds, so an outage does not flood the log. */
  private failed(record: RunRecord, err: Error): void {
    this.failures++;
    this.unlogged++;
    const now = Date.now();
    if (now - this.lastLogged < FAILURE_LOG_INTERVAL_MS) return;
    this.writeLogger.error(
      `could not write ${this.unlogged} run record(s), the last ${record.run_id}: ${err.message}`,
    );
    this.lastLogged = now;
    this.unlogged = 0;
  }

  /** Resolves when every record appended so far is written (or held, or counted as failed). */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all([...this.writing]);
  }

  /** Writes one record; each implementation keeps one job's records in order. */
  protected abstract write(key: JobKey, record: RunRecord): Promise<void>;

  /** The newest `limit` records, newest first. */
  abstract list(key: JobKey, limit: number): Promise<RunRecord[]>;

  /** Where the log is and what it holds; null when the job has no log yet. */
  abstract describe(key: JobKey): Promise<RunLogInfo | null>;

  /**
   * Tags kept with the log, for a job document that has none (the original kept tags on the
   * job's CloudWatch log group); null where the log keeps no tags.
   */
  async tags(_key: JobKey): Promise<Tag[] | null> {
    return null;
  }

  /** Called after a job is created or updated (CloudWatch creates its group and stream). */
  abstract jobSaved(doc: JobDocument): Promise<void>;

  /** Called after a job is deleted. */
  abstract jobDeleted(key: JobKey): Promise<void>;

  /** Called after a group is deleted, with the ids of the jobs it held. */
  async groupDeleted(account: string, group: string, ids: string[]): Promise<void> {
    for (const id of ids) await this.jobDeleted({ account, group, id });
  }
}
