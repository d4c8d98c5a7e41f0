import { Logger } from '@nestjs/common';
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobDocument } from '../domain/job-document';
import {
  CollectedDir,
  DirDocs,
  encodeSnapshot,
  isSnapshotFile,
  namesOf,
  SnapshotFile,
} from './job-snapshot-format';

const FILE = '.jobs-snapshot.json';

/** A directory as the current load read it: documents are added as they are read. */
export interface SnapshotCollector {
  /** An id the directory listed (before its document is read, if it can be). */
  list(id: string): void;
  add(doc: JobDocument, fromFile: boolean): void;
}

/**
 * The documents a job cache load read, by group directory, with each directory's identity
 * (inode, mtime, ctime) as listed before its files were read: what the next start's first load
 * takes instead of opening every file (100k files cost seconds of CPU; bench:startup). A
 * directory's identity moves with every entry added, removed or renamed in it, which every write
 * minion makes does (temp file renamed over the job); a file edited in place around minion keeps
 * it, and is seen at the first refresh after the start, which reads every file. The format is
 * in `job-snapshot-format.ts`; a file of another version (or unreadable) is ignored: every file
 * is read, and the snapshot written again.
 */
export class JobSnapshot {
  private readonly logger = new Logger(JobSnapshot.name);
  /** The snapshot the first load uses; dropped once that load has finished. */
  private previous: SnapshotFile | null | undefined;
  /** Parsed details objects by string index, shared by every directory of `previous`. */
  private details = new Map<number, Record<string, string> | null>();
  /** What the current load read, for the next snapshot. */
  private collected = new Map<string, CollectedDir>();
  /** Whether the current load read any document from its file (else the snapshot stands). */
  private readFiles = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly base: string) {}

  /**
   * The documents of the group directory `dir` (of `account` and `group`) as the snapshot has
   * them, if `dir` is as it was then; undefined otherwise.
   */
  directory(dir: string, identity: string, account: string, group: string): DirDocs | undefined {
    if (this.previous === undefined) this.previous = this.read();
    const entry = this.previous?.dirs[dir];
    if (!this.previous || entry?.identity !== identity) return undefined;
    return new DirDocs(this.previous.strings, this.details, entry.jobs, account, group);
  }

  /**
   * The ids `dir` listed when the snapshot was taken, if it is as it was then (and every name
   * in it was a job's: a name that is not is reported at each start, by a listing of the files).
   */
  names(dir: string, identity: string): string[] | undefined {
    if (this.previous === undefined) this.previous = this.read();
    const entry = this.previous?.dirs[dir];
    if (!this.previous || entry?.identity !== identity) return undefined;
    return namesOf(this.previous.strings, entry.names);
  }

  /**
   * Collects what the current load reads from `dir`, listed with `identity` (settled): the ids
   * listed (kept when `clean`: every name was a job's) and the documents read.
   */
  collector(dir: string, identity: string, clean: boolean): SnapshotCollector {
    let entry = this.collected.get(dir);
    if (entry?.identity !== identity) {
      entry = { identity, docs: [], names: clean ? [] : null };
      this.collected.set(dir, entry);
    }
    const { docs, names } = entry;
    return {
      list: (id) => names?.push(id),
      add: (doc, fromFile) => {
        if (fromFile) this.readFiles = true;
        docs.push(doc);
      },
    };
  }

  /** A load finished: its documents become the snapshot (written in the background). */
  loaded(): Promise<void> {
    const dirs = this.collected;
    const unchanged = this.previous && !this.readFiles;
    this.collected = new Map();
    this.previous = null;
    this.details = new Map();
    this.readFiles = false;
    // Every document came from the snapshot: it stands (no file rewritten at each start). Nothing
    // read (no jobs yet): nothing to write, and no file in a data dir never written.
    if (unchanged || dirs.size === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(dirs));
    return this.writing;
  }

  /** Resolves once the snapshot being written (if any) is on disk (shutdown). */
  flush(): Promise<void> {
    return this.writing;
  }

  private read(): SnapshotFile | null {
    try {
      const file: unknown = JSON.parse(readFileSync(join(this.base, FILE), 'utf8'));
      return isSnapshotFile(file) ? file : null;
    } catch {
      // None yet, or unreadable: every file is read, as without a snapshot.
      return null;
    }
  }

  private async write(dirs: Map<string, CollectedDir>): Promise<void> {
    const temp = join(this.base, `${FILE}.tmp`);
    try {
      await fs.mkdir(this.base, { recursive: true });
      await fs.writeFile(temp, JSON.stringify(encodeSnapshot(dirs)), { mode: 0o640 });
      await fs.rename(temp, join(this.base, FILE));
    } catch (err) {
      await fs.rm(temp, { force: true });
      this.logger.warn(
        `job snapshot not written (the next start reads every file): ${(err as Error).message}`,
      );
    }
  }
}
