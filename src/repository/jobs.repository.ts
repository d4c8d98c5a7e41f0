import { Logger } from '@nestjs/common';
import { JobNotFoundError } from '../common/errors';
import { mapWithConcurrency } from '../common/concurrency';
import { CorruptJobError, JobDocument, StoredJob } from '../domain/job-document';
import { JobKey } from '../domain/job-key';

/** A job as a cache load read it: its document, null if it vanished, or why it is unreadable. */
export type LoadedJob = JobDocument | null | CorruptJobError;

/** Reads between two turns of the event loop during a load (probes are answered meanwhile). */
export const YIELD_EVERY_READS = 256;

export interface DeleteGroupResult {
  /** Ids of the jobs deleted. */
  deleted: string[];
  /** Jobs that could not be deleted, with the reason (the rest were). */
  failed: { id: string; reason: string }[];
}

/** One page of a listing: at most `limit` entries sorting after `startAfter`. */
export interface ListPage {
  limit?: number;
  startAfter?: string;
}

/**
 * Port for job storage. Implementations: file (embedded default), S3. All of them keep the
 * original layout `<org>/<account>/<group>/<id>` and throw domain errors: JobNotFoundError,
 * ConflictError (lost a conditional write), ServiceUnavailableError, StorageAccessDeniedError.
 *
 * Listings sort in code-point order (which is S3's UTF-8 byte order). A stored key that is not a
 * job key (wrong depth, a name no client could have sent) is left out of listings, logged once
 * and counted (`reportUnreadableKey`), never silently.
 */
export abstract class JobsRepository {
  private readonly unreadable = new Set<string>();

  /** Human-readable location for logs and health output (never contains credentials). */
  abstract readonly location: string;

  /** Jobs of an account as `group/id`, sorted; all of them without `page.limit`. */
  abstract listAccount(account: string, page?: ListPage): Promise<string[]>;

  /** Job ids of a group, sorted; all of them without `page.limit`. */
  abstract listGroup(account: string, group: string, page?: ListPage): Promise<string[]>;

  abstract get(key: JobKey): Promise<StoredJob>;

  /**
   * The document alone, for the job cache's loads (100k reads at startup): no version to
   * compute, nothing kept for later reads. JobNotFoundError / CorruptJobError as `get`.
   */
  async load(key: JobKey): Promise<JobDocument> {
    return (await this.get(key)).document;
  }

  /**
   * A cache load's reads: the job of each `account/group/id` key (listed by `listAccount`, in
   * its order), `concurrency` at a time; any failure other than a vanished or corrupt job
   * rejects. This default calls `load` for each (S3: one GET each); the file store overrides it
   * to read a directory at a time (100k promises and lookups cost a load of 100k jobs seconds).
   */
  async loadKeys(keys: readonly string[], concurrency: number): Promise<LoadedJob[]> {
    let reads = 0;
    return mapWithConcurrency(keys, concurrency, async (key) => {
      // A store answering from memory or a local disk resolves at once: let the event loop serve
      // requests (probes) between chunks of a large load.
      if (++reads % YIELD_EVERY_READS === 0) await new Promise((r) => setImmediate(r));
      const [account, group, id] = key.split('/');
      try {
        return await this.load({ account, group, id });
      } catch (err) {
        if (err instanceof JobNotFoundError) return null;
        if (err instanceof CorruptJobError) return err;
        throw err;
      }
    });
  }

  /** Writes a new job; ConflictError if the key already exists. */
  abstract create(doc: JobDocument): Promise<StoredJob>;

  /** Replaces a job only if it is still at `expectedVersion`; ConflictError otherwise. */
  abstract update(doc: JobDocument, expectedVersion: string): Promise<StoredJob>;

  /** JobNotFoundError if the job does not exist. */
  abstract delete(key: JobKey): Promise<void>;

  /**
   * Deletes the jobs the group holds when the call lists it; a job created meanwhile survives
   * (and is not in `deleted`).
   */
  abstract deleteGroup(account: string, group: string): Promise<DeleteGroupResult>;

  /** Proves the store is readable and writable right now (readiness); throws otherwise. */
  abstract check(): Promise<void>;

  /** Distinct stored keys found that are not job keys (`minion_repository_unreadable_keys_total`). */
  get unreadableKeys(): number {
    return this.unreadableCount;
  }

  private unreadableCount = 0;

  /** A stored key no listing can return as a job: logged once and counted. */
  protected reportUnreadableKey(key: string, reason: string): void {
    if (this.unreadable.has(key)) return;
    if (this.unreadable.size > 100_000) this.unreadable.clear();
    this.unreadable.add(key);
    this.unreadableCount++;
    new Logger('JobsRepository').warn(
      `skipping ${JSON.stringify(key)} in ${this.location}: ${reason}; it is not a job key`,
    );
  }

  /** The job cache finished a load that read every job through `load` (the file store keeps a snapshot). */
  loaded(): void {}

  /** Startup housekeeping (the file store removes temp files left by a crash). */
  async cleanup(): Promise<void> {}

  private cleaning?: Promise<void>;

  /**
   * `cleanup`, once: started when the app boots, without holding the HTTP server back, and
   * awaited by the first cache load, so the two do not walk the store at the same time.
   */
  startupCleanup(): Promise<void> {
    this.cleaning ??= this.cleanup().catch((err: Error) =>
      new Logger('JobsRepository').warn(`startup cleanup failed: ${err.message}`),
    );
    return this.cleaning;
  }
}
