import { rfc3339 } from '../common/clock';
import { CronSchedule, DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';
import { activePause, JobDocument, Tag } from '../domain/job-document';

export type JobOutput = Omit<JobDocument, 'tags'>;

export interface JobView {
  job: JobOutput;
  tags: Tag[];
  next: string | null;
}

/** Schedules remembered for `nextFireTime`; beyond this the oldest is forgotten. */
const NEXT_CACHE_SIZE = 10_000;

interface NextCacheEntry {
  /** The answer holds for any `now` in [from, until). */
  from: number;
  until: number;
  /** The next fire time, RFC 3339, or null. */
  next: string | null;
}

/**
 * The next fire time changes only when it passes, so it is computed (and formatted) once per
 * schedule and fire time, not on each GET (parsing and luxon's zone arithmetic were a tenth of a
 * GET's cost).
 */
const nextCache = new Map<string, NextCacheEntry>();

/** The next fire time after `now` (RFC 3339), or null when the stored expression cannot be parsed. */
export function nextFireTime(doc: JobDocument, now: Date): string | null {
  const timezone = doc.timezone ?? DEFAULT_TIMEZONE;
  const cacheKey = `${timezone}\n${doc.schedule_expression}`;
  const t = now.getTime();
  const hit = nextCache.get(cacheKey);
  if (hit && hit.from <= t && t < hit.until) return hit.next;
  let next: Date | null;
  try {
    next = CronSchedule.parse(doc.schedule_expression, timezone).nextAfter(now);
  } catch {
    next = null;
  }
  // Full: start again (evicting one by one from the front of a Map walks its tombstones).
  if (nextCache.size >= NEXT_CACHE_SIZE) nextCache.clear();
  // null (never fires again, or cannot be parsed) depends on the expression only: kept as is.
  const entry = {
    from: t,
    until: next ? next.getTime() : Infinity,
    next: next ? rfc3339(next) : null,
  };
  nextCache.set(cacheKey, entry);
  return entry.next;
}

/** `{"job", "tags", "next"}`: the original's response shape; tags travel beside the job. */
export function toJobView(doc: JobDocument, now: Date): JobView {
  const { tags, pause, ...rest } = doc;
  // A pause shows while in force; one that has expired is history (the audit keeps it).
  const job = pause && activePause(doc, now) ? { ...rest, pause } : rest;
  return { job, tags: tags ?? [], next: nextFireTime(doc, now) };
}
