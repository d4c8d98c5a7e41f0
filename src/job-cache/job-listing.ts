import { groupEntry, JobKey } from '../domain/job-key';
import { compareCodePoints } from '../repository/listing';
import { ListPage } from '../repository/jobs.repository';

/**
 * Every stored job's `group/id` by account, enabled or not, sorted in listing order (code
 * points, as the repositories list): what the list routes answer once the job cache has loaded,
 * instead of walking the repository. Kept by the job cache: replaced at each load, and changed
 * by every write it hears of (this replica's, and the others' through the change relay).
 */
export class JobListing {
  private readonly accounts = new Map<string, string[]>();
  /**
   * Entries added since the account was last read, merged in at its next read: a burst of
   * creates costs a set insertion each, where inserting into the sorted array moved every entry
   * after it (bench:api: 2.6% of a create once an account held 30,000 jobs).
   */
  private readonly added = new Map<string, Set<string>>();
  /** An account's whole listing as UTF-8 JSON, made at the first list after a change. */
  private readonly json = new Map<string, Buffer>();

  /** Replaces an account's entries (a load's listing of it). */
  replace(account: string, entries: string[]): void {
    this.accounts.set(account, entries.sort(compareCodePoints));
    this.added.delete(account);
    this.json.delete(account);
  }

  /**
   * The account's whole listing, serialized: what `GET /{account}/jobs` answers without paging,
   * filters or a group-scoped key, kept until the account's next change (bench:api: serializing
   * 1,000 entries was the largest item of the list route's profile after the socket write).
   * Encoded once: the HTTP layer would otherwise copy a 14 KB string into a new Buffer per answer.
   */
  accountJson(account: string): Buffer {
    let json = this.json.get(account);
    if (json === undefined) {
      json = Buffer.from(JSON.stringify(this.entries(account)), 'utf8');
      this.json.set(account, json);
    }
    return json;
  }

  add(key: JobKey): void {
    const entries = this.accounts.get(key.account) ?? [];
    const entry = groupEntry(key);
    if (entries[lowerBound(entries, entry)] === entry) return;
    let added = this.added.get(key.account);
    if (!added) {
      added = new Set();
      this.added.set(key.account, added);
    }
    if (!added.has(entry)) {
      added.add(entry);
      this.json.delete(key.account);
    }
  }

  remove(key: JobKey): void {
    const entries = this.entries(key.account);
    const entry = groupEntry(key);
    const at = lowerBound(entries, entry);
    if (entries[at] === entry) {
      entries.splice(at, 1);
      this.json.delete(key.account);
    }
  }

  /** `group/id` of the account's jobs, one page of them (as `JobsRepository.listAccount`). */
  listAccount(account: string, page: ListPage = {}): string[] {
    return slice(this.entries(account), 0, undefined, page);
  }

  /** Ids of one group's jobs, one page of them (as `JobsRepository.listGroup`). */
  listGroup(account: string, group: string, page: ListPage = {}): string[] {
    const entries = this.entries(account);
    // A group's entries are contiguous: every entry starting with `group/`, and nothing between.
    const prefix = `${group}/`;
    const from = lowerBound(entries, prefix);
    let to = from;
    while (to < entries.length && entries[to].startsWith(prefix)) to++;
    const after = page.startAfter === undefined ? undefined : prefix + page.startAfter;
    return slice(entries, from, to, { limit: page.limit, startAfter: after }).map((e) =>
      e.slice(prefix.length),
    );
  }

  /** The account's entries, sorted, with those added since the last read merged in. */
  private entries(account: string): string[] {
    const entries = this.accounts.get(account) ?? [];
    const added = this.added.get(account);
    if (!added) return entries;
    this.added.delete(account);
    const merged = merge(entries, [...added].sort(compareCodePoints));
    this.accounts.set(account, merged);
    return merged;
  }
}

/** The first index whose entry sorts at or after `entry`. */
function lowerBound(entries: string[], entry: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCodePoints(entries[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `entries[from, to)` after `page.startAfter`, at most `page.limit` of them, copied. */
function slice(entries: string[], from: number, to = entries.length, page: ListPage): string[] {
  let start = from;
  if (page.startAfter !== undefined) {
    start = Math.max(from, lowerBound(entries, page.startAfter));
    if (entries[start] === page.startAfter) start++;
  }
  const end = page.limit === undefined ? to : Math.min(to, start + page.limit);
  return entries.slice(start, Math.max(start, end));
}

/** Two sorted lists as one (no entry is in both). */
function merge(a: string[], b: string[]): string[] {
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    out[k++] = compareCodePoints(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  }
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
