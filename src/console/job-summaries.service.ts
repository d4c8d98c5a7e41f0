import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { mapWithConcurrency } from '../common/concurrency';
import { activePause, JobDocument } from '../domain/job-document';
import { groupEntry, JobKey, parseGroupEntry } from '../domain/job-key';
import { filterOf } from '../jobs/dto/list-query.dto';
import { filteredPage, isEmptyFilter, matches, Page, paged, readOrNull } from '../jobs/job-filter';
import { toJobView } from '../jobs/job-view';
import { JobLog } from '../job-log/job-log';
import { JobsRepository } from '../repository/jobs.repository';
import {
  JobSummaryDto,
  JobSummaryPageDto,
  JobSummaryQuery,
  SUMMARY_PAGE_DEFAULT,
} from './dto/job-summary.dto';
import { runSummary, RunSummaryDto } from './dto/run-summary.dto';
import { DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';

const READ_CONCURRENCY = 16;

/**
 * One page of an account's jobs as list rows, each with its next fire time and its newest run:
 * one request per page, never one per row. Filters as the list routes (`enabled`, `runner`,
 * `tag`, `name`), plus `paused` and a case-insensitive `search` in the name. Unfiltered, only
 * the page's jobs are read; filtered, the listing is walked as the list routes walk it.
 */
@Injectable()
export class JobSummaries {
  private readonly logger = new Logger(JobSummaries.name);

  constructor(
    private readonly repository: JobsRepository,
    private readonly jobLog: JobLog,
    private readonly clock: Clock,
  ) {}

  async page(
    account: string,
    query: JobSummaryQuery,
    visible: (group: string) => boolean,
    allGroups: boolean,
  ): Promise<JobSummaryPageDto> {
    const now = this.clock.now();
    const filter = filterOf(query);
    const search = query.search?.toLowerCase();
    const paused = query.paused === undefined ? undefined : query.paused === 'true';
    const ask = { limit: query.limit ?? SUMMARY_PAGE_DEFAULT, startAfter: query.start_after };
    const list = (p: { limit?: number; startAfter?: string }) =>
      this.repository.listAccount(account, p);
    const docs = new Map<string, JobDocument>();
    const read = async (entry: string): Promise<JobDocument | null> => {
      const key = parseGroupEntry(account, entry);
      const doc = key && visible(key.group) ? await readOrNull(this.repository, key) : null;
      if (doc) docs.set(entry, doc);
      return doc;
    };
    let page: Page;
    if (isEmptyFilter(filter) && paused === undefined && !search && allGroups) {
      page = await paged(ask, list);
      await mapWithConcurrency(page.items, READ_CONCURRENCY, read);
    } else {
      const keep = (doc: JobDocument) =>
        matches(doc, filter) &&
        (paused === undefined || !!activePause(doc, now) === paused) &&
        (!search || doc.name.toLowerCase().includes(search));
      page = await filteredPage(ask, keep, list, read);
    }
    const rows = page.items.map((e) => docs.get(e)).filter((d): d is JobDocument => !!d);
    const lastRuns = await mapWithConcurrency(rows, READ_CONCURRENCY, (doc) => this.lastRun(doc));
    return {
      jobs: rows.map((doc, i) => summaryOf(doc, now, lastRuns[i])),
      ...(page.more && page.items.length > 0
        ? { next_start_after: page.items[page.items.length - 1] }
        : {}),
    };
  }

  /** The job's newest run record, in short; none when it never ran or the log cannot say. */
  async lastRun(key: JobKey): Promise<RunSummaryDto | undefined> {
    try {
      const [newest] = await this.jobLog.list(key, 1);
      return newest ? runSummary(newest) : undefined;
    } catch (err) {
      this.logger.warn(`newest run of ${groupEntry(key)} not read: ${(err as Error).message}`);
      return undefined;
    }
  }
}

function summaryOf(doc: JobDocument, now: Date, lastRun?: RunSummaryDto): JobSummaryDto {
  const { job, tags, next } = toJobView(doc, now);
  return {
    group: doc.group,
    id: doc.id,
    name: doc.name,
    description: doc.description ?? '',
    enabled: doc.enabled,
    runner: doc.details.runner ?? '',
    schedule_expression: doc.schedule_expression,
    timezone: doc.timezone ?? DEFAULT_TIMEZONE,
    tags,
    ...(job.pause ? { pause: job.pause } : {}),
    ...(next ? { next } : {}),
    ...(lastRun ? { last_run: lastRun } : {}),
  };
}
