import { DomainError } from '../common/errors';

export interface Tag {
  key: string;
  value: string;
}

/** A pause of a job's schedule: its occurrences are skipped (and recorded) until `until`. */
export interface JobPause {
  /** RFC 3339; null: until resumed by hand. */
  until: string | null;
  reason: string;
  /** The API key that paused it, and when. */
  by: string;
  at: string;
}

/**
 * A job exactly as stored, one object/file per job. The first ten keys are the original
 * minion's document (so a bucket written by the Go service loads unchanged, and the Go service
 * can read what we write: it ignores keys it does not know). `timezone` and `tags` are minion
 * additions and are written only when set.
 */
export interface JobDocument {
  account: string;
  description: string;
  details: Record<string, string>;
  group: string;
  id: string;
  modified_at: string;
  modified_by: string;
  name: string;
  schedule_expression: string;
  enabled: boolean;
  timezone?: string;
  /** Absent in documents the original wrote (it kept tags on the CloudWatch log group). */
  tags?: Tag[];
  /** minion addition, written only while set. */
  pause?: JobPause;
  /** minion addition: names of the account's blackout calendars; written only when set. */
  blackout_calendars?: string[];
}

/** A document plus an opaque version (ETag or content hash) for conditional updates. */
export interface StoredJob {
  document: JobDocument;
  version: string;
}

export class CorruptJobError extends DomainError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`stored job ${key} cannot be read: ${reason}`);
  }
}

/** Pretty-printed JSON in the original's key order. */
export function serializeJob(doc: JobDocument): string {
  const ordered: Record<string, unknown> = {
    account: doc.account,
    description: doc.description,
    details: doc.details,
    group: doc.group,
    id: doc.id,
    modified_at: doc.modified_at,
    modified_by: doc.modified_by,
    name: doc.name,
    schedule_expression: doc.schedule_expression,
    enabled: doc.enabled,
  };
  if (doc.timezone) ordered.timezone = doc.timezone;
  // Written even when empty: a document without `tags` is one the original wrote, whose tags
  // are on its CloudWatch log group.
  if (doc.tags !== undefined) ordered.tags = doc.tags;
  if (doc.pause) ordered.pause = doc.pause;
  if (doc.blackout_calendars?.length) ordered.blackout_calendars = doc.blackout_calendars;
  return JSON.stringify(ordered, null, 2);
}

/**
 * Parses a stored document. Missing keys take Go's zero values, as the original would have read
 * them; keys of the wrong type make the document corrupt. Account, group and id are taken from
 * the storage key, which is the source of truth for where a job lives.
 */
export function parseJob(
  text: string,
  where: { account: string; group: string; id: string },
): JobDocument {
  // The key (keyOf) is made only for an error: a load parses 100k documents (bench:startup).
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CorruptJobError(keyOf(where), 'not valid JSON');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CorruptJobError(keyOf(where), 'not a JSON object');
  }
  const details = raw.details ?? {};
  if (typeof details !== 'object' || Array.isArray(details)) {
    throw new CorruptJobError(keyOf(where), 'details is not an object');
  }
  for (const k of Object.keys(details)) {
    if (typeof (details as Record<string, unknown>)[k] !== 'string') {
      throw new CorruptJobError(keyOf(where), `details.${k} is not a string`);
    }
  }
  const doc: JobDocument = {
    account: where.account,
    description: str(raw, 'description', where),
    details: details as Record<string, string>,
    group: where.group,
    id: where.id,
    modified_at: str(raw, 'modified_at', where),
    modified_by: str(raw, 'modified_by', where),
    name: str(raw, 'name', where),
    schedule_expression: str(raw, 'schedule_expression', where),
    enabled: raw.enabled === true,
  };
  const timezone = str(raw, 'timezone', where);
  if (timezone) doc.timezone = timezone;
  if (Array.isArray(raw.tags)) {
    doc.tags = raw.tags
      .filter((t): t is Tag => !!t && typeof t.key === 'string' && typeof t.value === 'string')
      .map((t) => ({ key: t.key, value: t.value }));
  }
  const pause = pauseOf(raw.pause);
  if (pause) doc.pause = pause;
  if (Array.isArray(raw.blackout_calendars)) {
    const names = raw.blackout_calendars.filter((n): n is string => typeof n === 'string');
    if (names.length) doc.blackout_calendars = names;
  }
  return doc;
}

/** A string field; missing or null is Go's zero value, another type makes the document corrupt. */
function str(raw: Record<string, unknown>, name: string, where: JobWhere): string {
  const v = raw[name];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new CorruptJobError(keyOf(where), `${name} is not a string`);
  return v;
}

type JobWhere = { account: string; group: string; id: string };

function keyOf(where: JobWhere): string {
  return `${where.account}/${where.group}/${where.id}`;
}

/** A stored pause, or undefined when there is none or it is not one minion wrote. */
function pauseOf(raw: unknown): JobPause | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const p = raw as Record<string, unknown>;
  const until = p.until === null || typeof p.until === 'string' ? p.until : undefined;
  if (until === undefined || (until !== null && Number.isNaN(Date.parse(until)))) return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { until, reason: text(p.reason), by: text(p.by), at: text(p.at) };
}

/** The pause in force at `at`, if any (a pause ends at its `until`, exclusive). */
export function activePause(doc: JobDocument, at: Date): JobPause | undefined {
  const p = doc.pause;
  if (!p) return undefined;
  return p.until === null || Date.parse(p.until) > at.getTime() ? p : undefined;
}
