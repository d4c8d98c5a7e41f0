import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError, JobNotFoundError } from '../common/errors';
import { KeyedMutex } from '../common/keyed-mutex';
import { requireSafeSegment } from '../common/safe-segment';
import { JobDocument, parseJob, serializeJob, StoredJob } from './job-document';
import { DeleteGroupResult, JobKey, JobsRepository } from './jobs.repository';

/**
 * Embedded default: one JSON file per job at `<path>/<org>/<account>/<group>/<id>`, the same
 * layout as the S3 keys. Writes go to a hidden temp file that is fsynced and renamed over the
 * target, so a crash leaves either the old or the new document, never half of one. Hidden
 * entries (names starting with ".") are never jobs: ids cannot start with ".".
 *
 * Versions are content hashes; a per-key mutex makes check-and-write atomic within this
 * process. The directory is meant for one process (several replicas need S3).
 */
export class FileJobsRepository extends JobsRepository {
  private readonly base: string;
  private readonly locks = new KeyedMutex();

  constructor(path: string, org: string) {
    super();
    this.base = join(resolve(path), requireSafeSegment(org, 'org'));
  }

  get location(): string {
    return `file:${this.base}`;
  }

  async listAccount(account: string): Promise<string[]> {
    const groups = await visibleEntries(this.dir(account), 'dir');
    const lists = await Promise.all(
      groups.map(async (group) =>
        (await visibleEntries(this.dir(account, group), 'file')).map((id) => `${group}/${id}`),
      ),
    );
    return lists.flat().sort();
  }

  async listGroup(account: string, group: string): Promise<string[]> {
    return (await visibleEntries(this.dir(account, group), 'file')).sort();
  }

  async get(key: JobKey): Promise<StoredJob> {
    const text = await this.read(key);
    if (text === null) throw new JobNotFoundError(key.account, key.group, key.id);
    return { document: parseJob(text, key), version: hash(text) };
  }

  async create(doc: JobDocument): Promise<StoredJob> {
    return this.locks.run(this.file(doc), async () => {
      if ((await this.read(doc)) !== null) {
        throw new ConflictError(`job ${doc.group}/${doc.id} already exists`);
      }
      return this.write(doc);
    });
  }

  async update(doc: JobDocument, expectedVersion: string): Promise<StoredJob> {
    return this.locks.run(this.file(doc), async () => {
      const current = await this.read(doc);
      if (current === null) throw new JobNotFoundError(doc.account, doc.group, doc.id);
      if (hash(current) !== expectedVersion) {
        throw new ConflictError(
          `job ${doc.group}/${doc.id} was modified concurrently; read it again and retry`,
        );
      }
      return this.write(doc);
    });
  }

  async delete(key: JobKey): Promise<void> {
    await this.locks.run(this.file(key), async () => {
      try {
        await fs.unlink(this.file(key));
      } catch (err) {
        if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
        throw err;
      }
    });
  }

  async deleteGroup(account: string, group: string): Promise<DeleteGroupResult> {
    const dir = this.dir(account, group);
    const result: DeleteGroupResult = { deleted: [], failed: [] };
    for (const id of await visibleEntries(dir, 'file')) {
      try {
        await this.delete({ account, group, id });
        result.deleted.push(id);
      } catch (err) {
        if (err instanceof JobNotFoundError) continue; // deleted concurrently: fine
        result.failed.push({ id, reason: (err as NodeJS.ErrnoException).code ?? 'error' });
      }
    }
    // Removes the group directory once it is empty, stale temp files included.
    if (result.failed.length === 0) await fs.rm(dir, { recursive: true, force: true });
    return result;
  }

  async check(): Promise<void> {
    await fs.mkdir(this.base, { recursive: true });
    const probe = join(this.base, `.health-${randomUUID()}`);
    await fs.writeFile(probe, 'ok');
    const back = await fs.readFile(probe, 'utf8');
    await fs.unlink(probe);
    if (back !== 'ok') throw new Error(`data directory ${this.base} did not read back`);
  }

  private dir(account: string, group?: string): string {
    const parts = [this.base, requireSafeSegment(account, 'account')];
    if (group !== undefined) parts.push(requireSafeSegment(group, 'group'));
    return join(...parts);
  }

  private file(key: JobKey): string {
    return join(this.dir(key.account, key.group), requireSafeSegment(key.id, 'id'));
  }

  private async read(key: JobKey): Promise<string | null> {
    try {
      return await fs.readFile(this.file(key), 'utf8');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private async write(doc: JobDocument): Promise<StoredJob> {
    const target = this.file(doc);
    const text = serializeJob(doc);
    const dir = this.dir(doc.account, doc.group);
    await fs.mkdir(dir, { recursive: true });
    const temp = join(dir, `.${doc.id}.${randomUUID()}.tmp`);
    try {
      const handle = await fs.open(temp, 'wx', 0o640);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    return { document: doc, version: hash(text) };
  }
}

async function visibleEntries(dir: string, kind: 'dir' | 'file'): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => !e.name.startsWith('.') && (kind === 'dir' ? e.isDirectory() : e.isFile()))
      .map((e) => e.name);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
