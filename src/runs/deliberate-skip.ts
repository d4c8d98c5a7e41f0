import { CalendarsService } from '../calendars/calendars.service';
import { Occurrence } from '../coordination/occurrence';
import { activePause, JobDocument } from '../repository/job-document';

/**
 * Why a scheduled occurrence is not run by an operator's choice, or null: a pause in force at
 * the minute it was scheduled for (`paused (<reason>) until <t>`), or one of the job's blackout
 * calendars on that day (`blackout <name>`). Manual runs are never skipped. Throws when the
 * calendars cannot be read (the attempt fails and is retried, rather than run on a holiday).
 */
export async function deliberateSkip(
  doc: JobDocument,
  occurrence: Occurrence,
  calendars: CalendarsService,
): Promise<string | null> {
  if (occurrence.trigger !== 'schedule' || !occurrence.scheduledFor) return null;
  const at = new Date(occurrence.scheduledFor);
  const pause = activePause(doc, at);
  if (pause) return `paused (${pause.reason})${pause.until ? ` until ${pause.until}` : ''}`;
  if (!doc.blackout_calendars?.length) return null;
  let blackout: string | null;
  try {
    blackout = await calendars.blackoutAt(doc.account, doc.blackout_calendars, at);
  } catch (err) {
    throw new Error(`blackout calendars not read: ${(err as Error).message}`);
  }
  return blackout ? `blackout ${blackout}` : null;
}
