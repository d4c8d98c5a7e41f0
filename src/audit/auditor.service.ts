import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { AuditMetrics } from './audit.metrics';
import { JobDocument } from '../domain/job-document';
import { Calendar } from '../domain/calendar';
import { Actor, AuditAction, FieldChange, NewAuditEntry } from './audit-entry';
import { AuditLog } from './audit-log';
import { changesOf } from './changes-of';
import { JobKey } from '../domain/job-key';

/**
 * Turns what the API did into audit entries. Called after the change is made: an entry that
 * cannot be stored is logged and counted (`minion_audit_failures_total`), and the request still
 * answers what was done, since it was.
 */
@Injectable()
export class Auditor {
  private readonly logger = new Logger(Auditor.name);

  constructor(
    private readonly log: AuditLog,
    private readonly clock: Clock,
    private readonly metrics: AuditMetrics,
  ) {}

  /** A create (no before), update, delete (no after), pause or resume of one job. */
  async job(
    action: AuditAction,
    actor: Actor,
    before: JobDocument | null,
    after: JobDocument | null,
  ): Promise<void> {
    const doc = (after ?? before) as JobDocument;
    await this.store({
      ...this.base(action, actor, doc),
      changes: changesOf(before, after),
    });
  }

  async run(actor: Actor, key: JobKey, runId: string): Promise<void> {
    await this.store({ ...this.base('run', actor, key), detail: runId });
  }

  /** A group delete, pause or resume: the ids of the jobs it changed. */
  async group(
    action: AuditAction,
    actor: Actor,
    account: string,
    group: string,
    ids: string[],
  ): Promise<void> {
    await this.store({
      ...this.base(action, actor, { account, group, id: '' }),
      id: null,
      detail: ids.length ? ids.join(', ') : 'no job',
    });
  }

  /** A calendar set over the API (group `.calendars`, id its name). */
  async calendar(
    actor: Actor,
    account: string,
    name: string,
    before: Calendar | null,
    after: Calendar,
  ): Promise<void> {
    const changes: Record<string, FieldChange> = {};
    for (const field of ['timezone', 'dates', 'description'] as const) {
      if (JSON.stringify(before?.[field]) !== JSON.stringify(after[field])) {
        changes[field] = { before: before?.[field] ?? null, after: after[field] ?? null };
      }
    }
    await this.store({
      ...this.base('put-calendar', actor, { account, group: '.calendars', id: name }),
      changes,
    });
  }

  private base(action: AuditAction, actor: Actor, key: JobKey): NewAuditEntry {
    return {
      at: this.clock.now().toISOString(),
      action,
      account: key.account,
      group: key.group,
      id: key.id,
      key: actor.key,
      client: actor.client,
    };
  }

  private async store(entry: NewAuditEntry): Promise<void> {
    try {
      await this.log.record(entry);
    } catch (err) {
      this.metrics.failures.inc();
      this.logger.error(
        `audit entry not stored (${entry.action} ${entry.account}/${entry.group}/${entry.id ?? '*'} by ${entry.key}): ${(err as Error).message}`,
      );
    }
  }
}
