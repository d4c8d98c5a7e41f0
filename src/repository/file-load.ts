import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { segmentFileName } from '../common/safe-segment';
import { CorruptJobError, parseJob } from '../domain/job-document';
import { JobKey } from '../domain/job-key';
import { isNotFound } from './file-store';
import { JobSnapshot } from './job-snapshot';
import { LoadedJob, YIELD_EVERY_READS } from './jobs.repository';

/**
 * Options of the load's reads, made once: a string ('utf8') is copied into a new options object
 * by each call (100k at startup: it showed in the profile; bench:startup).
 */
const UTF8 = { encoding: 'utf8', flag: 'r' } as const;

/** A group directory as listed: its identity, whether it had settled, whether every name was a job's. */
export interface ListedDir {
  identity: string;
  settled: boolean;
  clean: boolean;
}

/**
 * The file store's cache load: the snapshot of the last load (`JobSnapshot`) and each group
 * directory's identity when last listed, which decides whether the snapshot's listing and
 * documents of the directory stand.
 */
export class FileLoad {
  private readonly snapshot: JobSnapshot;
  private readonly dirs = new Map<string, ListedDir>();

  constructor(private readonly base: string) {
    this.snapshot = new JobSnapshot(base);
  }

  /** The group directory `dir` was listed (before the cache load reads its files). */
  listed(dir: string, listed: ListedDir): void {
    this.dirs.set(dir, listed);
  }

  /** `dir`'s ids as the snapshot listed them, if it is unchanged since (see JobSnapshot.names). */
  names(dir: string, identity: string): string[] | undefined {
    return this.snapshot.names(this.relative(dir), identity);
  }

  /**
   * The cache load's reads (100k files at startup; bench:startup), a group directory at a time
   * (keys come sorted, a group's together): from the last load's snapshot when the directory is
   * as it was listed then (the first load after a start), else one read of each file, nothing
   * kept but the document, for the next snapshot. Synchronous reads (as FileJobsRepository's), with a turn of
   * the event loop every YIELD_EVERY_READS jobs.
   */
  async loadKeys(
    keys: readonly string[],
    dirOf: (account: string, group: string) => string,
  ): Promise<LoadedJob[]> {
    const out = new Array<LoadedJob>(keys.length);
    let i = 0;
    while (i < keys.length) {
      const [account, group] = keys[i].split('/', 2);
      const prefix = `${account}/${group}/`;
      const dir = dirOf(account, group);
      const rel = this.relative(dir);
      const listed = this.dirs.get(dir);
      const snapshot = listed && this.snapshot.directory(rel, listed.identity, account, group);
      const collector = listed?.settled
        ? this.snapshot.collector(rel, listed.identity, listed.clean)
        : null;
      for (; i < keys.length && keys[i].startsWith(prefix); i++) {
        if (i % YIELD_EVERY_READS === YIELD_EVERY_READS - 1) {
          await new Promise((r) => setImmediate(r));
        }
        const id = keys[i].slice(prefix.length);
        collector?.list(id);
        let doc = snapshot?.get(id);
        const fromFile = !doc;
        if (!doc) {
          const read = this.readForLoad(dir, { account, group, id });
          if (!read || read instanceof CorruptJobError) {
            out[i] = read;
            continue;
          }
          doc = read;
        }
        collector?.add(doc, fromFile);
        out[i] = doc;
      }
    }
    return out;
  }

  /** One job file read and parsed for a load: null if it is gone. */
  private readForLoad(dir: string, key: JobKey): LoadedJob {
    let text: string;
    try {
      // `dir` is normalized and the name one segment (never "." or ".."): what `join` would
      // make, without its normalizing pass over each of 100k paths.
      text = readFileSync(`${dir}${sep}${segmentFileName(key.id)}`, UTF8);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    try {
      return parseJob(text, key);
    } catch (err) {
      if (err instanceof CorruptJobError) return err;
      throw err;
    }
  }

  /** A load read every job: what it read is the next start's snapshot. */
  loaded(): void {
    void this.snapshot.loaded();
  }

  /** Resolves once the snapshot being written (if any) is on disk (shutdown). */
  flush(): Promise<void> {
    return this.snapshot.flush();
  }

  private relative(file: string): string {
    return file.slice(this.base.length + 1);
  }
}
