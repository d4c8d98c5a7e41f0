import { JobDocument, Tag } from '../repository/job-document';
import { JobKey } from '../repository/jobs.repository';
import { RunLogInfo, RunRecord } from './run-record';

/**
 * Port for run history: every attempt's outcome, per job. Implementations: file (embedded
 * default, JSON lines), CloudWatch Logs. Writes must never throw into the scheduler: callers log
 * and count failures instead.
 */
export abstract class JobLog {
  abstract append(key: JobKey, record: RunRecord): Promise<void>;

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
