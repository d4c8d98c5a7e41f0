import { activePause, JobDocument, JobPause } from './job-document';

/** Finds which of an account's blackout calendars (if any) covers an instant. */
export interface BlackoutCalendars {
  /** The first of the named calendars that blacks out `at`, or null; throws when unreadable. */
  blackoutAt(account: string, names: readonly string[], at: Date): Promise<string | null>;
}

/** What would keep an occurrence at `at` from running: the pause in force, the blackout calendar. */
export interface SkipMarks {
  paused?: JobPause;
  /** The name of the calendar blacking the day out. */
  blackout?: string;
}

/**
 * The operator's choices that skip a job's scheduled occurrence at `at`: a pause in force then
 * (a pause ends at its `until`, exclusive) and one of the job's blackout calendars on that day,
 * counted in the calendar's zone. The one place this is decided: the executor skips by it, the
 * next-fire-times and schedule views mark by it. Throws when the calendars cannot be read.
 * `firstOnly`: a pause is enough (the calendars are not read), as a run needs one reason.
 */
export async function skipMarks(
  doc: JobDocument,
  at: Date,
  calendars: BlackoutCalendars,
  { firstOnly = false } = {},
): Promise<SkipMarks> {
  const marks: SkipMarks = {};
  const paused = activePause(doc, at);
  if (paused) marks.paused = paused;
  if (paused && firstOnly) return marks;
  if (doc.blackout_calendars?.length) {
    const blackout = await calendars.blackoutAt(doc.account, doc.blackout_calendars, at);
    if (blackout) marks.blackout = blackout;
  }
  return marks;
}

/**
 * Whether `skipMarks` could find anything at all: a pause, or blackout calendars to read. Most
 * jobs have neither, and the executor then decides at once, without the (async) call.
 */
export function mayBeSkipped(doc: JobDocument): boolean {
  return !!doc.pause || (doc.blackout_calendars?.length ?? 0) > 0;
}

/**
 * Why a scheduled occurrence is not run by an operator's choice, as its run record says it, or
 * null: `paused (<reason>) until <t>` (a pause wins over a blackout) or `blackout <name>`.
 */
export function skipReason(marks: SkipMarks): string | null {
  const p = marks.paused;
  if (p) return `paused (${p.reason})${p.until ? ` until ${p.until}` : ''}`;
  return marks.blackout ? `blackout ${marks.blackout}` : null;
}
