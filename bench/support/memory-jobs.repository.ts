import { ConflictError, JobNotFoundError } from '../../src/common/errors';
import { JobDocument, StoredJob } from '../../src/domain/job-document';
import { DeleteGroupResult, JobsRepository } from '../../src/repository/jobs.repository';
import { JobKey } from '../../src/domain/job-key';

/**
 * Benchmark-only repository: jobs in a Map, so a benchmark measures the scheduler rather than
 * the disk. Not a product implementation (the product has file and S3).
 */
export class MemoryJobsRepository extends JobsRepository {
  readonly location = 'memory';
  private readonly docs = new Map<string, JobDocument>();

  put(doc: JobDocument): void {
    this.docs.set(`${doc.account}/${doc.group}/${doc.id}`, doc);
  }

  async listAccount(account: string): Promise<string[]> {
    const prefix = `${account}/`;
    return [...this.docs.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  }

  async listGroup(account: string, group: string): Promise<string[]> {
    const prefix = `${account}/${group}/`;
    return [...this.docs.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length));
  }

  async get(key: JobKey): Promise<StoredJob> {
    const doc = this.docs.get(`${key.account}/${key.group}/${key.id}`);
    if (!doc) throw new JobNotFoundError(key.account, key.group, key.id);
    return { document: doc, version: doc.modified_at };
  }

  async create(doc: JobDocument): Promise<StoredJob> {
    if (this.docs.has(`${doc.account}/${doc.group}/${doc.id}`)) throw new ConflictError('exists');
    this.put(doc);
    return { document: doc, version: doc.modified_at };
  }

  async update(doc: JobDocument): Promise<StoredJob> {
    this.put(doc);
    return { document: doc, version: doc.modified_at };
  }

  async delete(key: JobKey): Promise<void> {
    this.docs.delete(`${key.account}/${key.group}/${key.id}`);
  }

  async deleteGroup(): Promise<DeleteGroupResult> {
    return { deleted: [], failed: [] };
  }

  async check(): Promise<void> {}
}
