import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../common/clock';
import { JobKey, jobRef, occurrenceId } from './job-key';
import { SequenceLink, stepOccurrenceSuffix } from './sequence';

/** What started an occurrence: the schedule, or a person (PATCH, run now). */
export type RunTrigger = 'schedule' | 'manual' | 'sequence';

/** One requested execution of a job: what travels through the queue. */
export interface Occurrence {
  /** `occurrenceId(key, minute | manual-<uuid>)`: enqueueing the same id twice is a no-op. */
  id: string;
  /** `jobRef` of the job: its key in the cache, made once when the occurrence is. */
  key: string;
  account: string;
  group: string;
  jobId: string;
  trigger: RunTrigger;
  /** Minute the occurrence belongs to (RFC 3339); null for manual runs. */
  scheduledFor: string | null;
  enqueuedAt: string;
  /** A sequence's step: the sequence run it belongs to, and which step it is. */
  sequence?: SequenceLink;
}

/** Occurrences of one job older than the catch-up window, counted from `first` to `last`. */
export interface Missed {
  job: JobKey;
  /** `jobRef(job)`. */
  key: string;
  first: number;
  last: number;
  count: number;
  /** The count hit the cap: there were at least this many. */
  capped: boolean;
}

function occurrence(
  job: JobKey,
  ref: string,
  when: string,
  trigger: RunTrigger,
  scheduledFor: string | null,
  enqueuedAt: string,
): Occurrence {
  return {
    id: occurrenceId(ref, when),
    key: ref,
    account: job.account,
    group: job.group,
    jobId: job.id,
    trigger,
    scheduledFor,
    enqueuedAt,
  };
}

/** A minute's strings, made once for every occurrence of that minute (10k jobs: 10k dates less). */
export interface MinuteStamp {
  minuteMs: number;
  /** The minute, RFC 3339. */
  minute: string;
  /** When the occurrences are made (ISO 8601). */
  enqueuedAt: string;
}

export function minuteStamp(minuteMs: number, now: Date): MinuteStamp {
  return { minuteMs, minute: rfc3339(new Date(minuteMs)), enqueuedAt: now.toISOString() };
}

/** `ref` is `jobRef(job)`, which the caller (the cache) already holds. */
export function scheduledOccurrence(
  job: JobKey,
  ref: string,
  minuteMs: number,
  now: Date,
): Occurrence {
  return stampedOccurrence(job, ref, minuteStamp(minuteMs, now));
}

/** The same, with the minute's strings made once for all its occurrences (the planner's). */
export function stampedOccurrence(job: JobKey, ref: string, stamp: MinuteStamp): Occurrence {
  return occurrence(job, ref, stamp.minute, 'schedule', stamp.minute, stamp.enqueuedAt);
}

export function manualOccurrence(job: JobKey, now: Date): Occurrence {
  return occurrence(job, jobRef(job), `manual-${randomUUID()}`, 'manual', null, now.toISOString());
}

/** Step `step` of the sequence occurrence `parent`: the job `job`, run as part of it. */
export function stepOccurrence(
  parent: Occurrence,
  job: JobKey,
  step: number,
  now: Date,
): Occurrence {
  const suffix = stepOccurrenceSuffix(parent.id, step);
  return {
    ...occurrence(job, jobRef(job), suffix, 'sequence', parent.scheduledFor, now.toISOString()),
    sequence: { run_id: parent.id, step },
  };
}

/** The job an occurrence belongs to. */
export function jobOf(o: Occurrence): JobKey {
  return { account: o.account, group: o.group, id: o.jobId };
}

/** An occurrence as an earlier minion put it in Redis (without `key`): the same, completed. */
export function withRef(o: Occurrence): Occurrence {
  return o.key ? o : { ...o, key: jobRef(jobOf(o)) };
}
