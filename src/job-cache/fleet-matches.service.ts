import { Injectable } from '@nestjs/common';
import { JobKey, jobRef } from '../domain/job-key';
import { JobLog } from '../job-log/job-log';

/** Run records read back per fleet job, looking for its last matches. */
const RECORDS_READ = 5;
/** Fleets remembered (the newest win). */
const MAX_FLEETS = 10_000;

interface Matches {
  /** `<kind>:<id>` of each resource, as runners name resources (`instance:i-0abc`). */
  resources: string[];
  at: string;
}

/**
 * What each tag-selector job matched at its last run or dry run: the schedule view flags a
 * fleet and a job naming one of those resources by id, acting differently close together. A run
 * on this replica, or a dry run here, is remembered at once; otherwise the job's run history
 * answers (its last records with `resources`), which every replica shares with the CloudWatch
 * run log. A selector's matches are a snapshot: the fleet is what carries the tags at its minute.
 */
@Injectable()
export class FleetMatches {
  private readonly byJob = new Map<string, Matches>();

  constructor(private readonly jobLog: JobLog) {}

  remember(job: JobKey, kind: string, ids: readonly string[], at: Date): void {
    const ref = jobRef(job);
    this.byJob.delete(ref);
    if (this.byJob.size >= MAX_FLEETS) {
      this.byJob.delete(this.byJob.keys().next().value as string);
    }
    this.byJob.set(ref, { resources: ids.map((id) => `${kind}:${id}`), at: at.toISOString() });
  }

  /** The resources `job` last matched, or null when it never ran nor was dry-run. */
  async of(job: JobKey, kind: string): Promise<string[] | null> {
    const known = this.byJob.get(jobRef(job));
    if (known) return known.resources;
    const records = await this.jobLog.list(job, RECORDS_READ).catch(() => []);
    const last = records.find((r) => r.resources && r.resources.length > 0);
    if (!last?.resources) return null;
    const resources = last.resources.map((r) => `${kind}:${r.id}`);
    this.byJob.set(jobRef(job), { resources, at: last.finished_at });
    return resources;
  }
}
