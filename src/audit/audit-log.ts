import { AuditEntry, NewAuditEntry } from './audit-entry';
import { JobKey } from '../domain/job-key';
import type { HeldRecords } from '../job-log/job-log';

export interface AuditPage {
  entries: AuditEntry[];
  /** When more entries follow: the `start_after` of the next page. */
  next?: string;
}

/**
 * Port for the audit trail. Implementations: SQLite under the data dir (with the file run log),
 * CloudWatch Logs in its own log group `<org>-audit` (with the CloudWatch run log). Chosen in
 * AuditModule's factory.
 */
export abstract class AuditLog {
  /** Stores one entry; resolves when it is stored (or held for CloudWatch, see CloudWatchAuditLog). */
  abstract record(entry: NewAuditEntry): Promise<void>;

  /** Entries held because the store cannot take them now (CloudWatch down); null: never. */
  get heldRecords(): HeldRecords | null {
    return null;
  }

  /** The newest `limit` entries of one job, newest first. */
  abstract history(key: JobKey, limit: number): Promise<AuditEntry[]>;

  /** An account's entries from `since` on, oldest first, `limit` at most, after `startAfter`. */
  abstract list(
    account: string,
    query: { since?: Date; limit: number; startAfter?: string },
  ): Promise<AuditPage>;
}
