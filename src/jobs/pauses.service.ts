import { Injectable } from '@nestjs/common';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { Clock, rfc3339 } from '../common/clock';
import { ConflictError, InvalidFieldError, JobNotFoundError } from '../common/errors';
import { JobDocument, JobPause } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { JobsRepository } from '../repository/jobs.repository';
import { PauseRequestDto } from './dto/pause.dto';
import { JobWriter } from './job-writer.service';
import { JobsService, JobWithLog } from './jobs.service';

/** A group pause reads and writes a job again this many times when another write got there first. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Pauses of a job's schedule, and of every job of a group. A pause is kept in the job document
 * (`pause`), so every replica's cache has it with the job, and it ends by itself: each
 * occurrence is compared with `until` when it runs (`skipMarks`), with no timer to lose. A
 * paused job keeps `enabled` as it was; manual runs still run.
 */
@Injectable()
export class PausesService {
  constructor(
    private readonly repository: JobsRepository,
    private readonly writer: JobWriter,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
  ) {}

  async pause(key: JobKey, request: PauseRequestDto, actor: Actor): Promise<JobWithLog> {
    const pause = this.pauseOf(request, actor.key);
    await this.change(key, (doc) => ({ ...doc, pause }), 'pause', actor);
    return this.jobs.get(key);
  }

  async resume(key: JobKey, actor: Actor): Promise<JobWithLog> {
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
    const pause = this.pauseOf(request, actor.key);
    return this.changeGroup(account, group, 'pause', actor, (doc) => ({ ...doc, pause }));
  }

  async resumeGroup(account: string, group: string, actor: Actor): Promise<string[]> {
    return this.changeGroup(account, group, 'resume', actor, (doc) =>
      doc.pause ? withoutPause(doc) : null,
    );
  }

  private pauseOf(request: PauseRequestDto, by: string): JobPause {
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

  /**
   * Applies `change` to every job now in the group, audited once for the group. A job written
   * meanwhile by someone else (a conflict) is read again and changed again; one deleted meanwhile
   * has nothing to pause. Should a job fail otherwise (storage down), the audit still names the
   * jobs changed before it, and the error is the answer.
   */
  private async changeGroup(
    account: string,
    group: string,
    action: 'pause' | 'resume',
    actor: Actor,
    change: (doc: JobDocument) => JobDocument | null,
  ): Promise<string[]> {
    const ids = await this.repository.listGroup(account, group, {});
    const changed: string[] = [];
    let failed = false;
    try {
      for (const id of ids) {
        if (await this.changeRetrying({ account, group, id }, change, action)) changed.push(id);
      }
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (!failed || changed.length > 0) {
        await this.auditor.group(`${action}-group`, actor, account, group, changed);
      }
    }
    return changed;
  }

  private async changeRetrying(
    key: JobKey,
    change: (doc: JobDocument) => JobDocument | null,
    action: 'pause' | 'resume',
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.change(key, change, action, null);
      } catch (err) {
        if (err instanceof JobNotFoundError) return false;
        if (!(err instanceof ConflictError) || attempt >= CONFLICT_ATTEMPTS) throw err;
      }
    }
  }

  /** One conditional write of the changed document (a concurrent write is a 409); false: no change. */
  private async change(
    key: JobKey,
    change: (doc: JobDocument) => JobDocument | null,
    action: 'pause' | 'resume',
    actor: Actor | null,
  ): Promise<boolean> {
    const current = await this.repository.get(key);
    const next = change(current.document);
    if (!next) return false;
    await this.writer.replace(current, next, action, actor);
    return true;
  }
}

function withoutPause(doc: JobDocument): JobDocument {
  const { pause: _pause, ...rest } = doc;
  return rest;
}
