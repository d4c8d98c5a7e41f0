import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  promises as fs,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { ConflictError, JobNotFoundError } from '../common/errors';
import { KeyedMutex } from '../common/keyed-mutex';
import { segmentFromFileName } from '../common/safe-segment';
import { JobDocument, parseJob, serializeJob, StoredJob } from '../domain/job-document';
import { DeleteGroupResult, JobsRepository, ListPage, LoadedJob } from './jobs.repository';
import {
  CachedText,
  entries,
  fileName,
  hash,
  isNotFound,
  LISTING_CACHE_SIZE,
  removeStaleTemps,
  settled,
  WRITE_ATTEMPTS,
} from './file-store';
import { pageOf } from './listing';
import { FileLoad } from './file-load';
import { JournalEntry, WriteJournal } from './write-journal';
import { JobTexts } from './job-texts';
import { JobKey } from '../domain/job-key';

/**
 * Embedded default: one JSON file per job at `<path>/<org>/<account>/<group>/<id>`, the same
 * layout as the S3 keys, with names encoded by `segmentFileName`. A write (create, update,
 * delete) is durable before it is answered: it is group-committed to a journal first (see
 * `WriteJournal`: one fdatasync for all the writes arriving meanwhile), then the file is written
 * to a hidden temp file renamed over the target, so a reader sees the old or the new document,
 * never half of one; a crash of the machine is repaired from the journal at the next start, temp
 * files a crash left behind are removed. Hidden entries (names starting with ".") are never jobs.
 *
 * Versions are content hashes; a per-key mutex makes check-and-write atomic within this
 * process. The directory is meant for one process (several replicas need S3).
 */
export class FileJobsRepository extends JobsRepository {
  private readonly logger = new Logger(FileJobsRepository.name);
  private readonly base: string;
  private readonly locks = new KeyedMutex();
  /** Recently read job texts (one stat answers a read of an unchanged file). */
  private readonly texts = new JobTexts();
  /** Moves with every change minion makes (see `changed`). */
  private generation = 0;
  /** Recently listed directories (see `segments`). */
  private readonly listings = new Map<
    string,
    { identity: string; names: string[]; clean: boolean }
  >();
  private readonly journal: WriteJournal;
  /** The cache load's path: the snapshot, and each group's identity when listed. */
  private readonly load_: FileLoad;

  constructor(path: string, org: string) {
    super();
    this.base = join(resolve(path), fileName(org, 'org'));
    this.journal = new WriteJournal(this.base);
    // Before anything reads: what a crash of the machine may have lost is written again.
    this.journal.recover();
    this.load_ = new FileLoad(this.base);
  }

  /** A snapshot being written is finished; a last checkpoint (shutdown). */
  async onApplicationShutdown(): Promise<void> {
    await this.load_.flush();
    await this.journal.close();
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

  /** The cache load's reads: see `FileLoad`. */
  override loadKeys(keys: readonly string[]): Promise<LoadedJob[]> {
    return this.load_.loadKeys(keys, (account, group) => this.dir(account, group));
  }

  /** A load read every job: what it read is the next start's snapshot. */
  override loaded(): void {
    this.load_.loaded();
  }

  async create(doc: JobDocument): Promise<StoredJob> {
    return this.locks.run(this.file(doc), async () => {
      // existsSync: a missing file (the usual case) costs no exception, as a failed open would.
      if (existsSync(this.file(doc))) {
        throw new ConflictError(`job ${doc.group}/${doc.id} already exists`);
      }
      return this.write(doc, null);
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
      return this.write(doc, current.text);
    });
  }

  async delete(key: JobKey): Promise<void> {
    const file = this.file(key);
    await this.locks.run(file, async () => {
      if (statSync(file, { throwIfNoEntry: false }) === undefined) {
        throw new JobNotFoundError(key.account, key.group, key.id);
      }
      const entry: JournalEntry = { file: this.relative(file), text: null };
      await this.journal.commit(entry);
      try {
        unlinkSync(file);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      this.journal.applied(entry);
      this.changed(file);
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
    const removed = await removeStaleTemps(this.base);
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
    const isSettled = !!stat && settled(stat.mtimeMs);
    if (cached?.identity === identity) {
      if (kind === 'file')
        this.load_.listed(dir, { identity, settled: isSettled, clean: cached.clean });
      return [...cached.names];
    }
    // A group as the last load's snapshot listed it, if it has not changed since (the first load
    // after a start: no readdir of 100k entries).
    const kept = kind === 'file' && isSettled ? this.load_.names(dir, identity) : undefined;
    const { names, clean } = kept
      ? { names: kept, clean: true }
      : await this.readSegments(dir, kind);
    // Listed before the cache load reads its files: what its snapshot is checked against.
    if (kind === 'file') this.load_.listed(dir, { identity, settled: isSettled, clean });
    if (stat && settled(stat.mtimeMs) && generation === this.generation) {
      if (this.listings.size >= LISTING_CACHE_SIZE) {
        this.listings.delete(this.listings.keys().next().value!);
      }
      this.listings.set(cacheKey, { identity, names, clean });
    }
    return [...names];
  }

  private async readSegments(
    dir: string,
    kind: 'dir' | 'file',
  ): Promise<{ names: string[]; clean: boolean }> {
    const names: string[] = [];
    let clean = true;
    for (const name of await entries(dir, kind)) {
      const segment = segmentFromFileName(name);
      if (segment === null) {
        this.reportUnreadableKey(join(dir, name).slice(this.base.length + 1), 'bad name');
        clean = false;
        continue;
      }
      names.push(segment);
    }
    return { names, clean };
  }

  /** A job file's text and version (see `JobTexts`), or null when there is none. */
  private read(key: JobKey): CachedText | null {
    return this.texts.read(this.file(key));
  }

  /**
   * After minion changed a file or directory: what was cached is forgotten, and reads that began
   * before the change do not store what they read (the generation moved on).
   */
  private changed(file?: string): void {
    this.generation++;
    if (file) this.texts.forget(file);
    this.listings.clear();
  }

  private relative(file: string): string {
    return file.slice(this.base.length + 1);
  }

  /**
   * Journaled (durable once `commit` resolves), then applied: a temp file renamed over the
   * target, no fsync of its own (the journal's checkpoint does it, off the request path).
   * Synchronous once committed: a few hundred bytes to a local disk, as `read`. A write that
   * fails after its commit journals `previous` (the text it replaced, null for none) again, so a
   * replay never applies a write that was answered with an error.
   */
  private async write(doc: JobDocument, previous: string | null): Promise<StoredJob> {
    const target = this.file(doc);
    const text = serializeJob(doc);
    const dir = this.dir(doc.account, doc.group);
    const entry: JournalEntry = { file: this.relative(target), text };
    await this.journal.commit(entry);
    for (let attempt = 1; ; attempt++) {
      const temp = join(dir, `.${randomUUID()}.tmp`);
      try {
        // The group's directory usually exists: made only when the write finds it missing.
        if (attempt > 1) mkdirSync(dir, { recursive: true });
        writeFileSync(temp, text, { encoding: 'utf8', mode: 0o640, flag: 'wx' });
        renameSync(temp, target);
        this.journal.applied(entry);
        this.changed(target);
        return { document: doc, version: hash(text) };
      } catch (err) {
        rmSync(temp, { force: true });
        // A new group, or a concurrent group delete removed the (then empty) directory.
        if (isNotFound(err) && attempt < WRITE_ATTEMPTS) continue;
        await this.journal.commit({ file: entry.file, text: previous });
        throw err;
      }
    }
  }
}
