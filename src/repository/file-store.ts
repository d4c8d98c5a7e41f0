/** The file repository's helpers: names on disk, directory listings, file identities, hashes. */
import { createHash } from 'node:crypto';
import { promises as fs, Stats } from 'node:fs';
import { join } from 'node:path';
import { InvalidFieldError } from '../common/errors';
import { MAX_FILE_NAME_BYTES, requireSafeSegment, segmentFileName } from '../common/safe-segment';

/** Our temp files: `.<uuid>.tmp` (and `.<id>.<uuid>.tmp` from earlier versions). */
export const TEMP_FILE = /^\..*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;
/** A temp file this old belongs to a write that will never finish (a crash). */
export const STALE_TEMP_MS = 60_000;
/** A group directory removed by a concurrent group delete is made again, this many times. */
export const WRITE_ATTEMPTS = 5;
/** Job texts kept for reads (about 1 KB each). */
export const TEXT_CACHE_SIZE = 10_000;
/** Directory listings kept (groups and accounts). */
export const LISTING_CACHE_SIZE = 1000;

export interface CachedText {
  /** inode, size, mtime, ctime of the file the text was read from. */
  identity: string;
  text: string;
  version: string;
}

/**
 * File systems stamp times from a coarse clock (a few ms): two changes within one tick can leave
 * the same modification time. What changed this recently is not cached, so a later change
 * always shows as a new identity.
 */
const SETTLED_MS = 1000;

export function identityOf(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

export function settled(mtimeMs: number): boolean {
  return Date.now() - mtimeMs > SETTLED_MS;
}

/** A segment's file name; one that cannot fit a file name is refused, naming the field. */
export function fileName(segment: string, field: string): string {
  const name = segmentFileName(requireSafeSegment(segment, field));
  if (Buffer.byteLength(name, 'utf8') > MAX_FILE_NAME_BYTES) {
    throw new InvalidFieldError(
      field,
      `is too long for the file repository (${Buffer.byteLength(name)} bytes once encoded, at most ${MAX_FILE_NAME_BYTES})`,
    );
  }
  return name;
}

export async function entries(dir: string, kind: 'dir' | 'file'): Promise<string[]> {
  try {
    const list = await fs.readdir(dir, { withFileTypes: true });
    return list
      .filter((e) => !e.name.startsWith('.') && (kind === 'dir' ? e.isDirectory() : e.isFile()))
      .map((e) => e.name);
  } catch (err) {
    if (isNotFound(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/**
 * Hidden names in `dir` (files or not: the caller stats what it keeps). Names only: a group of
 * 100k jobs would otherwise make 100k directory entry objects at each start's cleanup.
 */
export async function hiddenNames(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => name.startsWith('.'));
  } catch {
    return [];
  }
}

export function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

export function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** Removes the temp files crashed writes left under `base` (only ours, only older than a minute). */
export async function removeStaleTemps(base: string): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const account of await entries(base, 'dir')) {
    for (const group of await entries(join(base, account), 'dir')) {
      const dir = join(base, account, group);
      for (const name of await hiddenNames(dir)) {
        if (!TEMP_FILE.test(name)) continue;
        const file = join(dir, name);
        const stat = await fs.lstat(file).catch(() => null);
        if (stat?.isFile() && now - stat.mtimeMs > STALE_TEMP_MS) {
          await fs.rm(file, { force: true });
          removed++;
        }
      }
    }
  }
  return removed;
}
