import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../common/clock';
import { RunTrigger } from '../job-log/run-record';
import { JobKey } from '../repository/jobs.repository';

/** One requested execution of a job: what travels through the queue. */
export interface Occurrence {
  /** `<account>/<group>/<id>@<minute RFC 3339>` or `...@manual-<uuid>`: enqueueing twice is a no-op. */
  id: string;
  /** `<account>/<group>/<id>`: the job's key in the cache, made once when the occurrence is. */
  key: string;
  account: string;
  group: string;
  jobId: string;
  trigger: RunTrigger;
  /** Minute the occurrence belongs to (RFC 3339); null for manual runs. */
  scheduledFor: string | null;
  enqueuedAt: string;
}

export function jobKeyString(key: JobKey): string {
  return `${key.account}/${key.group}/${key.id}`;
}

function occurrence(
  job: JobKey,
  key: string,
  suffix: string,
  trigger: RunTrigger,
  scheduledFor: string | null,
  now: Date,
): Occurrence {
  return {
    id: `${key}@${suffix}`,
    key,
    account: job.account,
    group: job.group,
    jobId: job.id,
    trigger,
    scheduledFor,
    enqueuedAt: now.toISOString(),
  };
}

/** `key` is `jobKeyString(job)`, which the caller (the cache) already holds. */
export function scheduledOccurrence(
  job: JobKey,
  key: string,
  minuteMs: number,
  now: Date,
): Occurrence {
  const minute = rfc3339(new Date(minuteMs));
  return occurrence(job, key, minute, 'schedule', minute, now);
}

export function manualOccurrence(job: JobKey, now: Date): Occurrence {
  return occurrence(job, jobKeyString(job), `manual-${randomUUID()}`, 'manual', null, now);
}

export function occurrenceKey(o: Occurrence): JobKey {
  return { account: o.account, group: o.group, id: o.jobId };
}

/** An occurrence as an earlier minion put it in Redis (without `key`): the same, completed. */
export function withKey(o: Occurrence): Occurrence {
  return o.key ? o : { ...o, key: jobKeyString(occurrenceKey(o)) };
}
