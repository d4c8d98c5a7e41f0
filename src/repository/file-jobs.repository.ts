import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, promises as fs, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError, JobNotFoundError } from '../common/errors';
import { KeyedMutex } from '../common/keyed-mutex';
import { segmentFromFileName } from '../common/safe-segment';
import { JobDocument, parseJob, serializeJob, StoredJob } from '../domain/job-document';
import { DeleteGroupResult, JobsRepository, ListPage } from './jobs.repository';
import {
  CachedText,
  entries,
  fileName,
  hash,
  hiddenFiles,
  identityOf,
  isNotFound,
  LISTING_CACHE_SIZE,
  settled,
  STALE_TEMP_MS,
  TEMP_FILE,
  TEXT_CACHE_SIZE,
  WRITE_ATTEMPTS,
} from './file-store';
import { pageOf } from './listing';
import { JobKey } from '../domain/job-key';

/**
 * Embedded default: one JSON file per job at `<path>/<org>/<account>/<group>/<id>`, the same
 * layout as the S3 keys, with names encoded by `segmentFileName`. Writes go to a hidden temp file
 * that is fsynced and renamed over the target, so a crash leaves either the old or the new
 * document, never half of one; temp files a crash left behind are removed at startup. Hidden
 * entries (names starting with ".") are never jobs.
 *
 * Versions are content hashes; a per-key mutex makes check-and-write atomic within this
 * process. The directory is meant for one process (several replicas need S3).
 */
export class FileJobsRepository extends JobsRepository {
  private readonly logger = new Logger(FileJobsRepository.name);
  private readonly base: string;
  private readonly locks = new KeyedMutex();
  /** Recently read job texts by file, with the identity of the file they were read from. */
  private readonly texts = new Map<string, CachedText>();
  /** Moves with every change minion makes (see `changed`). */
  private generation = 0;
  /** Recently listed directories (see `segments`). */
  private readonly listings = new Map<string, { identity: string; names: string[] }>();

  constructor(path: string, org: string) {
    super();
    this.base = join(resolve(path), fileName(org, 'org'));
  }

  get location(): string {
    return `file:${this.base}`;
  }

  async listAccount(account: string, page?: ListPage): Promise<string[]> {
    const groups = await this.segments(this.dir(account), 'dir');
    const lists = await Promise.all(
      groups.map(async (group) =>
        (await this.segments(this.dir(account, group), 'file')).map((id) => `${group}/${id}`),
      ),
    );
    return pageOf(lists.flat(), page);
  }

  async listGroup(account: string, group: string, page?: ListPage): Promise<string[]> {
    return pageOf(await this.segments(this.dir(account, group), 'file'), page);
  }

  async get(key: JobKey): Promise<StoredJob> {
    const stored = this.read(key);
    if (stored === null) throw new JobNotFoundError(key.account, key.group, key.id);
    return { document: parseJob(stored.text, key), version: stored.version };
  }

  async create(doc: JobDocument): Promise<StoredJob> {
    return this.locks.run(this.file(doc), async () => {
      if (this.read(doc) !== null) {
        throw new ConflictError(`job ${doc.group}/${doc.id} already exists`);
      }
      return this.write(doc);
    });
  }

  async update(doc: JobDocument, expectedVersion: string): Promise<StoredJob> {
    return this.locks.run(this.file(doc), async () => {
      const current = this.read(doc);
      if (current === null) throw new JobNotFoundError(doc.account, doc.group, doc.id);
      if (current.version !== expectedVersion) {
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
        this.changed(this.file(key));
      } catch (err) {
        if (isNotFound(err)) throw new JobNotFoundError(key.account, key.group, key.id);
        throw err;
      }
    });
  }

  async deleteGroup(account: string, group: string): Promise<DeleteGroupResult> {
    const dir = this.dir(account, group);
    const result: DeleteGroupResult = { deleted: [], failed: [] };
    for (const id of await this.segments(dir, 'file')) {
      try {
        await this.delete({ account, group, id });
        result.deleted.push(id);
      } catch (err) {
        if (err instanceof JobNotFoundError) continue; // deleted concurrently: fine
        result.failed.push({ id, reason: (err as NodeJS.ErrnoException).code ?? 'error' });
      }
    }
    // Only an empty directory goes: a job created meanwhile (or its temp file) keeps it.
    await fs.rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(err.code ?? '')) throw err;
    });
    this.changed();
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

  /** Removes temp files that crashed writes left (only ours, only older than a minute). */
  override async cleanup(): Promise<void> {
    let removed = 0;
    const now = Date.now();
    for (const account of await entries(this.base, 'dir')) {
      for (const group of await entries(join(this.base, account), 'dir')) {
        const dir = join(this.base, account, group);
        for (const name of await hiddenFiles(dir)) {
          if (!TEMP_FILE.test(name)) continue;
          const file = join(dir, name);
          const stat = await fs.stat(file).catch(() => null);
          if (stat && now - stat.mtimeMs > STALE_TEMP_MS) {
            await fs.rm(file, { force: true });
            removed++;
          }
        }
      }
    }
    if (removed > 0) this.logger.log(`removed ${removed} temp file(s) left by interrupted writes`);
  }

  private dir(account: string, group?: string): string {
    const parts = [this.base, fileName(account, 'account')];
    if (group !== undefined) parts.push(fileName(group, 'group'));
    return join(...parts);
  }

  private file(key: JobKey): string {
    return join(this.dir(key.account, key.group), fileName(key.id, 'id'));
  }

  /**
   * The decoded names of the visible entries of `dir`, kept like texts (see `read`) by the
   * directory's identity: its modification time moves with every entry added, removed or renamed.
   */
  private async segments(dir: string, kind: 'dir' | 'file'): Promise<string[]> {
    const cacheKey = `${kind}:${dir}`;
    const cached = this.listings.get(cacheKey);
    const generation = this.generation;
    const stat = statSync(dir, { throwIfNoEntry: false }) ?? null;
    const identity = stat ? `${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}` : 'none';
    if (cached?.identity === identity) return [...cached.names];
    const names = await this.readSegments(dir, kind);
    if (stat && settled(stat.mtimeMs) && generation === this.generation) {
      if (this.listings.size >= LISTING_CACHE_SIZE) {
        this.listings.delete(this.listings.keys().next().value!);
      }
      this.listings.set(cacheKey, { identity, names });
    }
    return [...names];
  }

  private async readSegments(dir: string, kind: 'dir' | 'file'): Promise<string[]> {
    const out: string[] = [];
    for (const name of await entries(dir, kind)) {
      const segment = segmentFromFileName(name);
      if (segment === null) {
        this.reportUnreadableKey(join(dir, name).slice(this.base.length + 1), 'bad name');
        continue;
      }
      out.push(segment);
    }
    return out;
  }

  /**
   * A job file's text and version. Texts read before are kept with the file's identity (inode,
   * size, modification and change times): one stat then answers instead of open, read, close and
   * hash, and a file replaced or edited by anyone (our writes rename a new file in) is read again.
   *
   * Synchronous on purpose, like the SQLite run log: a job file is a few hundred bytes on a local
   * disk, and the promise API's four thread-pool round trips per file cost more than the read
   * (startup with 100k jobs spent 4 s in them; bench:startup).
   */
  private read(key: JobKey): CachedText | null {
    const file = this.file(key);
    const cached = this.texts.get(file);
    try {
      if (cached) {
        const stat = statSync(file, { throwIfNoEntry: false });
        if (stat && identityOf(stat) === cached.identity) return cached;
      }
      // Not known (or changed): open once, and take the identity from the open file.
      const fd = openSync(file, 'r');
      try {
        const stat = fstatSync(fd);
        const text = readFileSync(fd, 'utf8');
        const entry: CachedText = { identity: identityOf(stat), text, version: hash(text) };
        // Kept only if the file did not change while it was read, nor can without a new identity.
        if (Buffer.byteLength(text) === stat.size && settled(stat.mtimeMs)) {
          this.remember(file, entry);
        }
        return entry;
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      this.texts.delete(file);
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * After minion changed a file or directory: what was cached is forgotten, and reads that began
   * before the change do not store what they read (the generation moved on).
   */
  private changed(file?: string): void {
    this.generation++;
    if (file) this.texts.delete(file);
    this.listings.clear();
  }

  private remember(file: string, entry: CachedText): void {
    // Full: start again (evicting one by one from the front of a Map walks its tombstones).
    if (this.texts.size >= TEXT_CACHE_SIZE) this.texts.clear();
    this.texts.set(file, entry);
  }

  private async write(doc: JobDocument): Promise<StoredJob> {
    const target = this.file(doc);
    const text = serializeJob(doc);
    const dir = this.dir(doc.account, doc.group);
    for (let attempt = 1; ; attempt++) {
      const temp = join(dir, `.${randomUUID()}.tmp`);
      try {
        await fs.mkdir(dir, { recursive: true });
        const handle = await fs.open(temp, 'wx', 0o640);
        try {
          await handle.writeFile(text, 'utf8');
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, target);
        this.changed(target);
        return { document: doc, version: hash(text) };
      } catch (err) {
        await fs.rm(temp, { force: true });
        // A concurrent group delete removed the (then empty) directory: make it again.
        if (isNotFound(err) && attempt < WRITE_ATTEMPTS) continue;
        throw err;
      }
    }
  }
}
