import { Injectable, Logger } from '@nestjs/common';
import { Actor, AuditAction } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { JobChanges } from '../domain/job-changes';
import { JobDocument, StoredJob } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { JobLog } from '../job-log/job-log';
import { DeleteGroupResult, JobsRepository } from '../repository/jobs.repository';

/**
 * The one place a job is written: each write goes to the repository, then is announced
 * (`JobChanges`: this replica's cache, and the others' through Redis), audited, and its run log
 * prepared or cleaned up. The announcement and the audit come after the write succeeded, so
 * neither ever speaks of a change that was not made; the run log's part never fails a write.
 */
@Injectable()
export class JobWriter {
  private readonly logger = new Logger(JobWriter.name);

  constructor(
    private readonly repository: JobsRepository,
    private readonly changes: JobChanges,
    private readonly auditor: Auditor,
    private readonly jobLog: JobLog,
  ) {}

  async create(doc: JobDocument, actor: Actor): Promise<StoredJob> {
    const stored = await this.repository.create(doc);
    await this.saved(stored.document);
    await this.auditor.job('create', actor, null, stored.document);
    return stored;
  }

  /**
   * Replaces `current` with `next` if nobody wrote it meanwhile (ConflictError otherwise), as an
   * update, a pause or a resume; `actor` null: part of a group action, audited once for the group.
   */
  async replace(
    current: StoredJob,
    next: JobDocument,
    action: Extract<AuditAction, 'update' | 'pause' | 'resume'>,
    actor: Actor | null,
  ): Promise<StoredJob> {
    const stored = await this.repository.update(next, current.version);
    // A pause or resume changes nothing the run log keeps (its tags, its name).
    if (action === 'update') await this.saved(stored.document);
    else this.changes.publish({ type: 'saved', document: stored.document });
    if (actor) await this.auditor.job(action, actor, current.document, stored.document);
    return stored;
  }

  /** `before`: the job as read first, so the audit says what was deleted (null: not read). */
  async delete(key: JobKey, before: JobDocument | null, actor: Actor): Promise<void> {
    await this.repository.delete(key);
    if (before) await this.auditor.job('delete', actor, before, null);
    this.changes.publish({ type: 'deleted', key });
    await this.jobLog
      .jobDeleted(key)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
  }

  async deleteGroup(account: string, group: string, actor: Actor): Promise<DeleteGroupResult> {
    const result = await this.repository.deleteGroup(account, group);
    await this.auditor.group('delete-group', actor, account, group, result.deleted);
    this.changes.publish({ type: 'groupDeleted', account, group, ids: result.deleted });
    await this.jobLog
      .groupDeleted(account, group, result.deleted)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
    return result;
  }

  /**
   * Announces the saved job. The job is stored: the answer is a success whatever the run log
   * says; a log that cannot be prepared now (CloudWatch throttling) is made by the first run's record.
   */
  private async saved(doc: JobDocument): Promise<void> {
    this.changes.publish({ type: 'saved', document: doc });
    await this.jobLog
      .jobSaved(doc)
      .catch((err: Error) =>
        this.logger.warn(`run log of ${doc.group}/${doc.id} not prepared: ${err.message}`),
      );
  }
}
