import { rfc3339 } from '../common/clock';
import { CronSchedule, DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';
import { JobDocument, Tag } from '../repository/job-document';

export type JobOutput = Omit<JobDocument, 'tags'>;

export interface JobView {
  job: JobOutput;
  tags: Tag[];
  next: string | null;
}

/** The next fire time after `now`, or null when the stored expression cannot be parsed. */
export function nextFireTime(doc: JobDocument, now: Date): Date | null {
  try {
    return CronSchedule.parse(doc.schedule_expression, doc.timezone ?? DEFAULT_TIMEZONE).nextAfter(
      now,
    );
  } catch {
    return null;
  }
}

/** `{"job", "tags", "next"}`: the original's response shape; tags travel beside the job. */
export function toJobView(doc: JobDocument, now: Date): JobView {
  const { tags, ...job } = doc;
  const next = nextFireTime(doc, now);
  return { job, tags: tags ?? [], next: next ? rfc3339(next) : null };
}
