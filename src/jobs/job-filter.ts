import { mapWithConcurrency } from '../common/concurrency';
import { JobDocument } from '../domain/job-document';
import { JobNotFoundError } from '../common/errors';
import { JobKey } from '../domain/job-key';
import { JobsRepository, ListPage } from '../repository/jobs.repository';

/** The list routes' filters; every one given must hold. */
export interface JobFilter {
  enabled?: boolean;
  /** `details.runner` */
  runner?: string;
  /** A tag the job carries (`tags` of its document). */
  tag?: { key: string; value: string };
  /** Prefix of `name`. */
  name?: string;
}

/** One page of a listing, and whether another follows. */
export interface Page {
  items: string[];
  more: boolean;
}

/** Asks for one entry more than the page holds, to know whether a next page exists. */
export async function paged(
  page: ListPage,
  list: (p: ListPage) => Promise<string[]>,
): Promise<Page> {
  if (page.limit === undefined) return { items: await list(page), more: false };
  const items = await list({ ...page, limit: page.limit + 1 });
  return { items: items.slice(0, page.limit), more: items.length > page.limit };
}

const BATCH = 500;
const READ_CONCURRENCY = 16;

export function isEmptyFilter(f: JobFilter): boolean {
  return f.enabled === undefined && !f.runner && !f.tag && f.name === undefined;
}

export function matches(doc: JobDocument, f: JobFilter): boolean {
  if (f.enabled !== undefined && doc.enabled !== f.enabled) return false;
  if (f.runner && doc.details?.runner !== f.runner) return false;
  if (f.name !== undefined && !doc.name.startsWith(f.name)) return false;
  if (f.tag) {
    const { key, value } = f.tag;
    if (!(doc.tags ?? []).some((t) => t.key === key && t.value === value)) return false;
  }
  return true;
}

/**
 * One page of the entries whose job matches (the filter, or a predicate): walks the listing in batches after `startAfter`,
 * reads the jobs (a few at a time), and stops at `limit` matches. `more` says another match
 * may follow, so the next link starts after the last entry returned. A job deleted between
 * the listing and its read is left out.
 */
export async function filteredPage(
  page: ListPage,
  filter: JobFilter | ((doc: JobDocument) => boolean),
  list: (p: ListPage) => Promise<string[]>,
  read: (entry: string) => Promise<JobDocument | null>,
): Promise<Page> {
  const keep = typeof filter === 'function' ? filter : (doc: JobDocument) => matches(doc, filter);
  const items: string[] = [];
  let after = page.startAfter;
  for (;;) {
    const entries = await list({ startAfter: after, limit: BATCH });
    const docs = await mapWithConcurrency(entries, READ_CONCURRENCY, read);
    for (const [i, entry] of entries.entries()) {
      const doc = docs[i];
      if (!doc || !keep(doc)) continue;
      if (page.limit !== undefined && items.length === page.limit) return { items, more: true };
      items.push(entry);
    }
    if (entries.length < BATCH) return { items, more: false };
    after = entries[entries.length - 1];
  }
}

/** A listed job, or null when it was deleted since the listing. */
export async function readOrNull(
  repository: JobsRepository,
  key: JobKey,
): Promise<JobDocument | null> {
  try {
    return (await repository.get(key)).document;
  } catch (err) {
    if (err instanceof JobNotFoundError) return null;
    throw err;
  }
}
