import { closeSync, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { CachedText, hash, identityOf, isNotFound, settled, TEXT_CACHE_SIZE } from './file-store';

/**
 * The file repository's job texts read before, each kept with the identity of its file (inode,
 * size, modification and change times): one stat then answers instead of open, read, close and
 * hash, and a file replaced or edited by anyone (minion's writes rename a new file in) is read
 * again.
 *
 * Synchronous on purpose, like the SQLite run log: a job file is a few hundred bytes on a local
 * disk, and the promise API's four thread-pool round trips per file cost more than the read
 * (startup with 100k jobs spent 4 s in them; bench:startup).
 */
export class JobTexts {
  private readonly texts = new Map<string, CachedText>();

  /** The text and version of `file`, or null when there is none. */
  read(file: string): CachedText | null {
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

  /** minion changed `file`: what was kept of it is forgotten. */
  forget(file: string): void {
    this.texts.delete(file);
  }

  private remember(file: string, entry: CachedText): void {
    // Full: start again (evicting one by one from the front of a Map walks its tombstones).
    if (this.texts.size >= TEXT_CACHE_SIZE) this.texts.clear();
    this.texts.set(file, entry);
  }
}
