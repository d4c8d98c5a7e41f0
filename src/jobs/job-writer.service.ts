import { Injectable, Logger } from '@nestjs/common';
import { Actor, AuditAction } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { JobChanges } from '../domain/job-changes';
import { JobDocument, StoredJob } from '../domain/job-document';
import { JobKey, jobRef } from '../domain/job-key';
import { ConflictError } from '../common/errors';
import { sameCreate } from './idempotency-key';
import { JobCache } from '../job-cache/job-cache.service';
import { RunnerRegistry } from '../runners/runner-registry';
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
    private readonly cache: JobCache,
    private readonly runners: RunnerRegistry,
  ) {}

  /**
   * `retryable` (an Idempotency-Key chose the id): a job already there with the same content is
   * this create retried, whose first try was stored although its answer never came (S3 timing
   * out, a 503): it is answered as created, announced and audited now (which the first try may
   * not have reached). A different job under that id is a conflict.
   */
  async create(doc: JobDocument, actor: Actor, retryable = false): Promise<StoredJob> {
    let stored: StoredJob;
    try {
      stored = await this.repository.create(doc);
    } catch (err) {
      if (!retryable || !(err instanceof ConflictError)) throw err;
      stored = await this.repository.get(doc);
      if (!sameCreate(stored.document, doc)) {
        throw new ConflictError(
          `Idempotency-Key already created ${doc.group}/${doc.id}, a different job; use a new key`,
        );
      }
    }
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
    this.refuseIfStep([key], (k) => jobRef(k) === jobRef(key));
    await this.repository.delete(key);
    if (before) await this.auditor.job('delete', actor, before, null);
    this.changes.publish({ type: 'deleted', key });
    await this.jobLog
      .jobDeleted(key)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
  }

  async deleteGroup(account: string, group: string, actor: Actor): Promise<DeleteGroupResult> {
    const inGroup = (k: JobKey) => k.account === account && k.group === group;
    this.refuseIfStep([...this.cache.all()].map((c) => c.job).filter(inGroup), inGroup);
    const result = await this.repository.deleteGroup(account, group);
    await this.auditor.group('delete-group', actor, account, group, result.deleted);
    this.changes.publish({ type: 'groupDeleted', account, group, ids: result.deleted });
    await this.jobLog
      .groupDeleted(account, group, result.deleted)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
    return result;
  }

  /**
   * A job an enabled sequence runs as a step is not deleted: the sequence would fail at its
   * next run (409 naming the sequences; change or disable them first). Sequences being deleted
   * with it (`alsoGoing`) do not count. Read from the cache, which holds every enabled job.
   */
  private refuseIfStep(keys: JobKey[], alsoGoing: (k: JobKey) => boolean): void {
    if (keys.length === 0) return;
    this.cache.requireLoaded();
    const refs = new Set(keys.map((k) => `${k.account}/${k.group}/${k.id}`));
    const users: string[] = [];
    for (const { doc } of this.cache.all()) {
      if (alsoGoing(doc)) continue;
      const runner = this.runners.get(doc.details.runner ?? '');
      if (!runner) continue;
      let steps;
      try {
        steps = runner.references(runner.parseDetails(doc.details));
      } catch {
        continue;
      }
      const used = steps.filter((s) => refs.has(`${doc.account}/${s.group}/${s.id}`));
      if (used.length > 0) users.push(`${doc.group}/${doc.id} (${doc.name})`);
    }
    if (users.length > 0) {
      throw new ConflictError(
        `a step of the enabled sequence(s) ${users.slice(0, 20).join(', ')}: change or disable them first`,
      );
    }
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
