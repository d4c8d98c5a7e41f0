import { Injectable } from '@nestjs/common';
import { Clock, rfc3339 } from '../common/clock';
import { InvalidFieldError, JobNotFoundError } from '../common/errors';
import { JobChanges } from '../domain/job-changes';
import { JobDocument } from '../domain/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { Actor, AuditAction } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { PauseRequestDto } from './dto/pause.dto';
import { JobsService, JobWithLog } from './jobs.service';
import { JobKey } from '../domain/job-key';

/**
 * Pauses of a job's schedule, and of every job of a group. A pause is kept in the job document
 * (`pause`), so every replica's cache has it with the job, and it ends by itself: each
 * occurrence is compared with `until` when it runs (see Executor), with no timer to lose. A
 * paused job keeps `enabled` as it was; manual runs still run.
 */
@Injectable()
export class PausesService {
  constructor(
    private readonly repository: JobsRepository,
    private readonly changes: JobChanges,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
  ) {}

  async pause(key: JobKey, request: PauseRequestDto, actor: Actor): Promise<JobWithLog> {
    this.jobs.ensureAccount(key.account);
    const pause = this.pauseOf(request, actor.key);
    await this.change(key, (doc) => ({ ...doc, pause }), 'pause', actor);
    return this.jobs.get(key);
  }

  async resume(key: JobKey, actor: Actor): Promise<JobWithLog> {
    this.jobs.ensureAccount(key.account);
    await this.change(key, withoutPause, 'resume', actor);
    return this.jobs.get(key);
  }

  /** Pauses every job of the group now in it (jobs created later are not paused). */
  async pauseGroup(
    account: string,
    group: string,
    request: PauseRequestDto,
    actor: Actor,
  ): Promise<string[]> {
    this.jobs.ensureAccount(account);
    const pause = this.pauseOf(request, actor.key);
    const changed = await this.changeGroup(account, group, (doc) => ({ ...doc, pause }));
    await this.auditor.group('pause-group', actor, account, group, changed);
    return changed;
  }

  async resumeGroup(account: string, group: string, actor: Actor): Promise<string[]> {
    this.jobs.ensureAccount(account);
    const changed = await this.changeGroup(account, group, (doc) =>
      doc.pause ? withoutPause(doc) : null,
    );
    await this.auditor.group('resume-group', actor, account, group, changed);
    return changed;
  }

  private pauseOf(request: PauseRequestDto, by: string): NonNullable<JobDocument['pause']> {
    const now = this.clock.now();
    let until: string | null = null;
    if (request.until) {
      const at = new Date(request.until);
      if (at.getTime() <= now.getTime()) {
        throw new InvalidFieldError('until', `${request.until} is not in the future`);
      }
      until = rfc3339(at);
    }
    return { until, reason: request.reason, by, at: rfc3339(now) };
  }

  private async changeGroup(
    account: string,
    group: string,
    change: (doc: JobDocument) => JobDocument | null,
  ): Promise<string[]> {
    const ids = await this.repository.listGroup(account, group, {});
    const changed: string[] = [];
    for (const id of ids) {
      try {
        if (await this.change({ account, group, id }, change)) changed.push(id);
      } catch (err) {
        if (!(err instanceof JobNotFoundError)) throw err; // deleted meanwhile: nothing to pause
      }
    }
    return changed;
  }

  /** One conditional write of the changed document (a concurrent write is a 409); false: no change. */
  private async change(
    key: JobKey,
    change: (doc: JobDocument) => JobDocument | null,
    audited?: AuditAction,
    actor?: Actor,
  ): Promise<boolean> {
    const current = await this.repository.get(key);
    const next = change(current.document);
    if (!next) return false;
    const stored = await this.repository.update(next, current.version);
    this.changes.publish({ type: 'saved', document: stored.document });
    if (audited && actor) await this.auditor.job(audited, actor, current.document, stored.document);
    return true;
  }
}

function withoutPause(doc: JobDocument): JobDocument {
  const { pause: _pause, ...rest } = doc;
  return rest;
}
