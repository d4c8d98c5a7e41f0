import { Injectable } from '@nestjs/common';
import { CalendarsService } from '../calendars/calendars.service';
import { Clock, rfc3339 } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { activePause } from '../domain/job-document';
import { groupEntry, groupOfEntry } from '../domain/job-key';
import { nextFireTime } from '../jobs/job-view';
import { skipMarks } from '../domain/skip';
import { CachedJob, JobCache } from '../job-cache/job-cache.service';
import { JobsRepository } from '../repository/jobs.repository';
import { ScheduledOccurrenceDto } from '../schedule/schedule.dto';
import { AccountOverviewDto, FailingJobDto } from './dto/overview.dto';
import { JobSummaries } from './job-summaries.service';

const SHOWN = 20;
const LOG_CONCURRENCY = 16;

/**
 * An account at a glance, in one request: how many jobs (the listing), how many enabled and
 * paused (the scheduler's cache), the next fire times within some hours (merged from each
 * enabled job's schedule, soonest first), and the enabled jobs whose newest run failed.
 */
@Injectable()
export class OverviewService {
  constructor(
    private readonly cache: JobCache,
    private readonly repository: JobsRepository,
    private readonly calendars: CalendarsService,
    private readonly summaries: JobSummaries,
    private readonly clock: Clock,
  ) {}

  async overview(
    account: string,
    hours: number,
    visible: (group: string) => boolean,
  ): Promise<AccountOverviewDto> {
    this.cache.requireLoaded();
    const now = this.clock.now();
    const jobs = [...this.cache.all()].filter(
      (c) => c.doc.account === account && visible(c.doc.group),
    );
    const listed = await this.repository.listAccount(account);
    const [upcoming, failing] = await Promise.all([
      this.upcoming(jobs, now, now.getTime() + hours * 3_600_000),
      this.failing(jobs),
    ]);
    return {
      account,
      jobs: listed.filter((e) => visible(groupOfEntry(e))).length,
      enabled: jobs.length,
      paused: jobs.filter((c) => activePause(c.doc, now)).length,
      upcoming,
      failing: failing.slice(0, SHOWN),
      failing_total: failing.length,
      hours,
    };
  }

  /**
   * The soonest fire times before `until` across the jobs: each job's next one, in order; the
   * soonest taken and replaced by that job's following one, until enough are taken.
   */
  private async upcoming(
    jobs: CachedJob[],
    now: Date,
    until: number,
  ): Promise<ScheduledOccurrenceDto[]> {
    const queue: { at: number; job: CachedJob }[] = [];
    for (const job of jobs) {
      // Remembered per schedule (10,000 jobs share a few): computing each was most of the cost.
      const next = job.schedule ? nextFireTime(job.doc, now) : null;
      const at = next === null ? undefined : Date.parse(next);
      if (at !== undefined && at < until) queue.push({ at, job });
    }
    queue.sort((a, b) => a.at - b.at);
    const taken: { at: number; job: CachedJob }[] = [];
    while (taken.length < SHOWN && queue.length > 0) {
      const first = queue.shift()!;
      taken.push(first);
      const following = first.job.schedule?.nextAfter(first.at)?.getTime();
      if (following !== undefined && following < until) {
        const i = queue.findIndex((q) => q.at > following);
        queue.splice(i < 0 ? queue.length : i, 0, { at: following, job: first.job });
      }
    }
    return Promise.all(
      taken.map(async ({ at, job: { doc } }) => {
        const when = new Date(at);
        const marks = await skipMarks(doc, when, this.calendars).catch(() => ({}));
        return {
          at: rfc3339(when),
          job: groupEntry(doc),
          name: doc.name,
          runner: doc.details.runner ?? '',
          ...('paused' in marks && marks.paused ? { paused: true } : {}),
          ...('blackout' in marks && marks.blackout ? { blackout: marks.blackout } : {}),
        };
      }),
    );
  }

  /** Enabled jobs whose newest run failed, most recent first. */
  private async failing(jobs: CachedJob[]): Promise<FailingJobDto[]> {
    const lastRuns = await mapWithConcurrency(jobs, LOG_CONCURRENCY, (c) =>
      this.summaries.lastRun(c.doc),
    );
    return jobs
      .map((c, i) => ({ job: groupEntry(c.doc), name: c.doc.name, last_run: lastRuns[i] }))
      .filter((f): f is FailingJobDto => f.last_run?.status === 'failed')
      .sort((a, b) => b.last_run.finished_at.localeCompare(a.last_run.finished_at));
  }
}
