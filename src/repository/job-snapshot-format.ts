import { JobDocument } from '../domain/job-document';

/**
 * The snapshot's file format (version 2). Version 1 held every document as a JSON object: 25 MB
 * for 100k jobs, whose read and parse cost about a second of CPU at each start (bench:startup)
 * and made 100k objects and a million strings at once for the GC to promote. Here every distinct
 * string is written once, in `strings`, and each job is a row of numbers in its directory's
 * `jobs` array: jobs share most values (schedule, description, details, author), so the file
 * is a fraction of the size and its parse makes few objects; the documents are built from the
 * rows, their equal strings shared.
 */
export const SNAPSHOT_VERSION = 2;

/** One job's row, in this order; each a string index, except ENABLED (0/1) and -1 for absent. */
const ID = 0;
const DESCRIPTION = 1;
/** The details object as JSON (its values are strings: a shallow copy is a whole copy). */
const DETAILS = 2;
const MODIFIED_AT = 3;
const MODIFIED_BY = 4;
const NAME = 5;
const SCHEDULE = 6;
const ENABLED = 7;
const TIMEZONE = 8;
/** `tags`, `pause` and `blackout_calendars` when any is set, as JSON; parsed for each job (rare). */
const EXTRAS = 9;
export const ROW = 10;

export interface SnapshotDir {
  /** The directory's identity when it was listed, before its files were read. */
  identity: string;
  /** ROW numbers per job. */
  jobs: number[];
  /** The ids the directory listed (string indexes), when every name in it was a job's. */
  names?: number[];
}

export interface SnapshotFile {
  v: number;
  strings: string[];
  /** By group directory (relative to the base). */
  dirs: Record<string, SnapshotDir>;
}

/** What a load read from one directory, in the order it read it. */
export interface CollectedDir {
  identity: string;
  docs: JobDocument[];
  /** The ids listed, in order; null when a name in the directory was not a job's. */
  names: string[] | null;
}

/**
 * Encodes what a load collected, by directory. Each column remembers its last value: neighbours
 * mostly share them (same schedule, description, details, author), and comparing with the last
 * costs less than hashing every string of 100k documents into the table (the first start's
 * profile; bench:startup).
 */
export function encodeSnapshot(dirs: Map<string, CollectedDir>): SnapshotFile {
  const strings: string[] = [];
  const indexes = new Map<string, number>();
  const lastValue = new Array<string | undefined>(ROW);
  const lastIndex = new Array<number>(ROW).fill(-1);
  const ref = (column: number, s: string | undefined): number => {
    if (s === undefined) return -1;
    if (s === lastValue[column]) return lastIndex[column];
    let i = indexes.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      indexes.set(s, i);
    }
    lastValue[column] = s;
    lastIndex[column] = i;
    return i;
  };
  let lastDetails: Record<string, string> | undefined;
  let lastDetailsIndex = -1;
  const out: Record<string, SnapshotDir> = {};
  for (const [dir, { identity, docs, names }] of dirs) {
    const jobs = new Array<number>(docs.length * ROW);
    docs.forEach((doc, j) => {
      const at = j * ROW;
      if (!lastDetails || !sameStrings(doc.details, lastDetails)) {
        lastDetails = doc.details;
        lastDetailsIndex = ref(DETAILS, JSON.stringify(doc.details));
      }
      jobs[at + ID] = ref(ID, doc.id);
      jobs[at + DESCRIPTION] = ref(DESCRIPTION, doc.description);
      jobs[at + DETAILS] = lastDetailsIndex;
      jobs[at + MODIFIED_AT] = ref(MODIFIED_AT, doc.modified_at);
      jobs[at + MODIFIED_BY] = ref(MODIFIED_BY, doc.modified_by);
      jobs[at + NAME] = ref(NAME, doc.name);
      jobs[at + SCHEDULE] = ref(SCHEDULE, doc.schedule_expression);
      jobs[at + ENABLED] = doc.enabled ? 1 : 0;
      jobs[at + TIMEZONE] = ref(TIMEZONE, doc.timezone);
      jobs[at + EXTRAS] = ref(EXTRAS, extrasOf(doc));
    });
    out[dir] = { identity, jobs };
    if (names) out[dir].names = names.map((id) => ref(ID, id));
  }
  return { v: SNAPSHOT_VERSION, strings, dirs: out };
}

/** Same keys, in the same order, with the same values (what JSON.stringify would make of them). */
function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  const other = Object.keys(b);
  if (keys.length !== other.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== other[i] || a[keys[i]] !== b[keys[i]]) return false;
  }
  return true;
}

function extrasOf(doc: JobDocument): string | undefined {
  if (doc.tags === undefined && !doc.pause && !doc.blackout_calendars) return undefined;
  return JSON.stringify({
    tags: doc.tags,
    pause: doc.pause,
    blackout_calendars: doc.blackout_calendars,
  });
}

/** The names of a directory's listing, or undefined when one is not a string (a damaged file). */
export function namesOf(strings: string[], names: unknown): string[] | undefined {
  if (!Array.isArray(names)) return undefined;
  const out = new Array<string>(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = text(strings, names[i] as number);
    if (name === undefined) return undefined;
    out[i] = name;
  }
  return out;
}

/** Whether a parsed file has the shape of this version (rows are checked as they are decoded). */
export function isSnapshotFile(file: unknown): file is SnapshotFile {
  const f = file as SnapshotFile;
  return (
    !!f &&
    f.v === SNAPSHOT_VERSION &&
    Array.isArray(f.strings) &&
    !!f.dirs &&
    typeof f.dirs === 'object'
  );
}

/**
 * The documents of one directory's rows, built as they are asked for. A load asks in the order
 * the last one read them (the listing's), so each is normally the row after the last: no map of
 * a directory's ids is made unless a listing differs (jobs added or removed around minion).
 * Parsed details objects are shared between rows as templates and copied for each document
 * (documents are the cache's own: one changed must not change another). A row that does not
 * decode (a file damaged on disk) is not found: that job's file is read instead.
 */
export class DirDocs {
  private readonly rows: number[];
  /** The next row, in the rows' order. */
  private cursor = 0;
  /** Row offsets by id, made when a lookup is not the next row. */
  private byId?: Map<string, number>;

  constructor(
    private readonly strings: string[],
    private readonly details: Map<number, Record<string, string> | null>,
    jobs: unknown,
    private readonly account: string,
    private readonly group: string,
  ) {
    this.rows = Array.isArray(jobs) ? (jobs as number[]) : [];
  }

  get(id: string): JobDocument | undefined {
    let at = this.cursor;
    if (at + ROW > this.rows.length || this.strings[this.rows[at + ID]] !== id) {
      this.byId ??= this.index();
      at = this.byId.get(id) ?? -1;
      if (at < 0) return undefined;
    }
    this.cursor = at + ROW;
    return this.row(this.rows, at);
  }

  private index(): Map<string, number> {
    const byId = new Map<string, number>();
    for (let at = 0; at + ROW <= this.rows.length; at += ROW) {
      const id = text(this.strings, this.rows[at + ID]);
      if (id !== undefined) byId.set(id, at);
    }
    return byId;
  }

  private row(rows: number[], at: number): JobDocument | undefined {
    const s = this.strings;
    const id = text(s, rows[at + ID]);
    const details = this.detailsOf(rows[at + DETAILS]);
    const description = text(s, rows[at + DESCRIPTION]);
    const modifiedAt = text(s, rows[at + MODIFIED_AT]);
    const modifiedBy = text(s, rows[at + MODIFIED_BY]);
    const name = text(s, rows[at + NAME]);
    const schedule = text(s, rows[at + SCHEDULE]);
    if (
      id === undefined ||
      details === null ||
      description === undefined ||
      modifiedAt === undefined ||
      modifiedBy === undefined ||
      name === undefined ||
      schedule === undefined
    ) {
      return undefined;
    }
    // Same keys in the same order as parseJob's documents (one object shape for the cache).
    const doc: JobDocument = {
      account: this.account,
      description,
      details: { ...details },
      group: this.group,
      id,
      modified_at: modifiedAt,
      modified_by: modifiedBy,
      name,
      schedule_expression: schedule,
      enabled: rows[at + ENABLED] === 1,
    };
    const timezone = text(s, rows[at + TIMEZONE]);
    if (timezone) doc.timezone = timezone;
    const extras = text(s, rows[at + EXTRAS]);
    if (extras !== undefined && !addExtras(doc, extras)) return undefined;
    return doc;
  }

  private detailsOf(i: number): Record<string, string> | null {
    let details = this.details.get(i);
    if (details === undefined) {
      details = parseObject(this.strings[i]) as Record<string, string> | null;
      if (details && Object.values(details).some((v) => typeof v !== 'string')) details = null;
      this.details.set(i, details);
    }
    return details;
  }
}

/** The string at `i`, or undefined (-1: absent; anything else: a damaged row). */
function text(strings: string[], i: number): string | undefined {
  const value = strings[i];
  return typeof value === 'string' ? value : undefined;
}

function parseObject(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function addExtras(doc: JobDocument, text: string): boolean {
  const extras = parseObject(text) as Pick<
    JobDocument,
    'tags' | 'pause' | 'blackout_calendars'
  > | null;
  if (!extras) return false;
  if (extras.tags !== undefined) doc.tags = extras.tags;
  if (extras.pause) doc.pause = extras.pause;
  if (extras.blackout_calendars) doc.blackout_calendars = extras.blackout_calendars;
  return true;
}
