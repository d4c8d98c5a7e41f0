import { randomUUID } from 'node:crypto';
import { rfc3339 } from '../common/clock';
import { JobKey } from '../repository/jobs.repository';
import { RunTrigger } from '../job-log/run-record';

/** One requested execution of a job: what travels through the queue. */
export interface Occurrence {
  /** `<account>/<group>/<id>@<minute RFC 3339>` or `...@manual-<uuid>`: enqueueing twice is a no-op. */
  id: string;
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

export function parseJobKey(text: string): JobKey {
  const [account, group, id] = text.split('/');
  return { account, group, id };
}

export function scheduledOccurrence(key: JobKey, minuteMs: number, now: Date): Occurrence {
  const minute = rfc3339(new Date(minuteMs));
  return {
    id: `${jobKeyString(key)}@${minute}`,
    account: key.account,
    group: key.group,
    jobId: key.id,
    trigger: 'schedule',
    scheduledFor: minute,
    enqueuedAt: now.toISOString(),
  };
}

export function manualOccurrence(key: JobKey, now: Date): Occurrence {
  return {
    id: `${jobKeyString(key)}@manual-${randomUUID()}`,
    account: key.account,
    group: key.group,
    jobId: key.id,
    trigger: 'manual',
    scheduledFor: null,
    enqueuedAt: now.toISOString(),
  };
}

export function occurrenceKey(o: Occurrence): JobKey {
  return { account: o.account, group: o.group, id: o.jobId };
}
