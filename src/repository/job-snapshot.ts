import { Logger } from '@nestjs/common';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobDocument } from '../domain/job-document';

const FILE = '.jobs-snapshot.json';
const VERSION = 1;

interface SnapshotFile {
  v: number;
  /** By group directory (relative to the base): its identity when listed, and its documents. */
  dirs: Record<string, { identity: string; docs: Record<string, JobDocument> }>;
}

/**
 * The documents a job cache load read, by group directory, with each directory's identity
 * (inode, mtime, ctime) as listed before its files were read: what the next start's first load
 * takes instead of opening every file (100k files cost seconds of CPU; bench:startup). A
 * directory's identity moves with every entry added, removed or renamed in it, which every write
 * minion makes does (temp file renamed over the job); a file edited in place around minion keeps
 * it, and is seen at the first refresh after the start, which reads every file.
 */
export class JobSnapshot {
  private readonly logger = new Logger(JobSnapshot.name);
  /** The snapshot the first load uses; dropped once that load has finished. */
  private previous: SnapshotFile['dirs'] | null | undefined;
  /** What the current load read, for the next snapshot. */
  private collected: SnapshotFile['dirs'] = {};
  /** Whether the current load read any document from its file (else the snapshot stands). */
  private readFiles = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly base: string) {}

  /** The document of `id` in `dir` as the snapshot has it, if `dir` is as it was then. */
  lookup(dir: string, identity: string, id: string): JobDocument | undefined {
    if (this.previous === undefined) this.previous = this.read();
    const entry = this.previous?.[dir];
    return entry?.identity === identity ? entry.docs[id] : undefined;
  }

  /**
   * A document the current load read from `dir`, listed with `identity` (settled); `fromFile`
   * when it was read from its file rather than taken from the snapshot.
   */
  collect(dir: string, identity: string, id: string, doc: JobDocument, fromFile: boolean): void {
    if (fromFile) this.readFiles = true;
    let entry = this.collected[dir];
    if (entry?.identity !== identity) {
      entry = { identity, docs: {} };
      this.collected[dir] = entry;
    }
    entry.docs[id] = doc;
  }

  /** A load finished: its documents become the snapshot (written in the background). */
  loaded(): Promise<void> {
    const dirs = this.collected;
    const unchanged = this.previous && !this.readFiles;
    this.collected = {};
    this.previous = null;
    this.readFiles = false;
    // Every document came from the snapshot: it stands (no 30 MB rewritten at each start). Nothing
    // read (no jobs yet): nothing to write, and no file in a data dir never written.
    if (unchanged || Object.keys(dirs).length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(dirs));
    return this.writing;
  }

  /** Resolves once the snapshot being written (if any) is on disk (shutdown). */
  flush(): Promise<void> {
    return this.writing;
  }

  private read(): SnapshotFile['dirs'] | null {
    try {
      const file = JSON.parse(readFileSync(join(this.base, FILE), 'utf8')) as SnapshotFile;
      return file.v === VERSION && file.dirs && typeof file.dirs === 'object' ? file.dirs : null;
    } catch {
      // None yet, or unreadable: every file is read, as without a snapshot.
      return null;
    }
  }

  private async write(dirs: SnapshotFile['dirs']): Promise<void> {
    const temp = join(this.base, `${FILE}.tmp`);
    try {
      await fs.mkdir(this.base, { recursive: true });
      await fs.writeFile(temp, JSON.stringify({ v: VERSION, dirs } satisfies SnapshotFile), {
        mode: 0o640,
      });
      await fs.rename(temp, join(this.base, FILE));
    } catch (err) {
      await fs.rm(temp, { force: true });
      this.logger.warn(
        `job snapshot not written (the next start reads every file): ${(err as Error).message}`,
      );
    }
  }
}
