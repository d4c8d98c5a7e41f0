import { JobDocument, StoredJob } from './job-document';

export interface JobKey {
  account: string;
  group: string;
  id: string;
}

export interface DeleteGroupResult {
  /** Ids of the jobs deleted. */
  deleted: string[];
  /** Jobs that could not be deleted, with the reason (the rest were). */
  failed: { id: string; reason: string }[];
}

/**
 * Port for job storage. Implementations: file (embedded default), S3. All of them keep the
 * original layout `<org>/<account>/<group>/<id>` and throw domain errors: JobNotFoundError,
 * ConflictError (lost a conditional write), ServiceUnavailableError, StorageAccessDeniedError.
 */
export abstract class JobsRepository {
  /** Human-readable location for logs and health output (never contains credentials). */
  abstract readonly location: string;

  /** Every job of an account as `group/id`, sorted. */
  abstract listAccount(account: string): Promise<string[]>;

  /** Every job id of a group, sorted. */
  abstract listGroup(account: string, group: string): Promise<string[]>;

  abstract get(key: JobKey): Promise<StoredJob>;

  /** Writes a new job; ConflictError if the key already exists. */
  abstract create(doc: JobDocument): Promise<StoredJob>;

  /** Replaces a job only if it is still at `expectedVersion`; ConflictError otherwise. */
  abstract update(doc: JobDocument, expectedVersion: string): Promise<StoredJob>;

  /** JobNotFoundError if the job does not exist. */
  abstract delete(key: JobKey): Promise<void>;

  abstract deleteGroup(account: string, group: string): Promise<DeleteGroupResult>;

  /** Proves the store is readable and writable right now (readiness); throws otherwise. */
  abstract check(): Promise<void>;
}
