import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { jobIdForKey } from './idempotency-key';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { CalendarsService } from '../calendars/calendars.service';
import { Clock, rfc3339 } from '../common/clock';
import { CronSchedule, DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';
import { describeFireTime, FireTimeView } from '../common/cron/dst';
import { ServiceUnavailableError } from '../common/errors';
import { TimeoutError, withTimeout } from '../common/timeout';
import { JobQueue, QueueClosedError } from '../coordination/job-queue';
import { QueueMetrics } from '../coordination/queue.metrics';
import { JobDocument } from '../domain/job-document';
import { JobKey, parseGroupEntry } from '../domain/job-key';
import { manualOccurrence } from '../domain/occurrence';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { skipMarks } from '../domain/skip';
import { JobCache } from '../job-cache/job-cache.service';
import { JobLog } from '../job-log/job-log';
import { DeleteGroupResult, JobsRepository, ListPage } from '../repository/jobs.repository';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobRequestDto } from './dto/job-request.dto';
import { filteredPage, isEmptyFilter, JobFilter, Page, paged, readOrNull } from './job-filter';
import { JobView, toJobView } from './job-view';
import { JobWriter } from './job-writer.service';
import { StepCheck } from './step-check';

/** A manual run's enqueue answers within this, or the API answers 503. */
const ENQUEUE_TIMEOUT_MS = 3000;

export interface JobWithLog extends JobView {
  /** null when the job has no log yet (the original's create answer had `log: null`). */
  log: RunLogInfo | null;
}

export interface NextFireTimes {
  timezone: string;
  schedule_expression: string;
  enabled: boolean;
  next: (FireTimeView & { paused?: boolean; blackout?: string })[];
}

/**
 * Job management behind the API: listings, reads, writes (through JobWriter), run requests,
 * run history and next fire times. The account and the key's scope were checked where the
 * request entered (AuthGuard); the job's details are checked by its runner here.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly repository: JobsRepository,
    private readonly writer: JobWriter,
    private readonly runners: RunnerRegistry,
    private readonly jobLog: JobLog,
    private readonly queue: JobQueue,
    private readonly queueMetrics: QueueMetrics,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
    private readonly calendars: CalendarsService,
    private readonly stepCheck: StepCheck,
    private readonly cache: JobCache,
  ) {}

  /**
   * Unfiltered, from the job cache's listing once it has loaded (every write this replica makes
   * or hears of is in it before its answer; see `JobCache.listing`); before that, and filtered
   * (a filter reads every document, and the cache holds only the enabled ones), from the
   * repository.
   */
  async listAccount(account: string, page: ListPage = {}, filter: JobFilter = {}): Promise<Page> {
    const list = (p: ListPage) => this.repository.listAccount(account, p);
    if (isEmptyFilter(filter)) {
      const cached = this.cache.listing;
      return paged(page, async (p) => cached?.listAccount(account, p) ?? list(p));
    }
    return filteredPage(page, filter, list, (entry) => {
      const key = parseGroupEntry(account, entry);
      return key ? this.readOrNull(key) : Promise.resolve(null);
    });
  }

  /** The whole unfiltered account listing as UTF-8 JSON, from the cache; null until it has loaded. */
  accountListJson(account: string): Buffer | null {
    return this.cache.listing?.accountJson(account) ?? null;
  }

  async listGroup(
    account: string,
    group: string,
    page: ListPage = {},
    filter: JobFilter = {},
  ): Promise<Page> {
    const list = (p: ListPage) => this.repository.listGroup(account, group, p);
    if (isEmptyFilter(filter)) {
      const cached = this.cache.listing;
      return paged(page, async (p) => cached?.listGroup(account, group, p) ?? list(p));
    }
    return filteredPage(page, filter, list, (id) => this.readOrNull({ account, group, id }));
  }

  /** A listed job, or null when it was deleted since the listing. */
  private readOrNull(key: JobKey): Promise<JobDocument | null> {
    return readOrNull(this.repository, key);
  }

  async get(key: JobKey): Promise<JobWithLog> {
    const { document } = await this.repository.get(key);
    return this.withLog(document);
  }

  /**
   * With `idempotencyKey`, the id is derived from it (`jobIdForKey`): a create retried after an
   * answer that was lost or a 503 (the job may be stored anyway) answers the stored job again
   * instead of making a second one.
   */
  async create(
    account: string,
    group: string,
    request: JobRequestDto,
    actor: Actor,
    idempotencyKey?: string,
  ): Promise<JobWithLog> {
    const id =
      idempotencyKey === undefined ? randomUUID() : jobIdForKey(account, group, idempotencyKey);
    const doc = this.buildDocument({ account, group, id }, request);
    await this.calendars.assertExist(account, doc.blackout_calendars ?? []);
    await this.checkSteps(doc, actor);
    const stored = await this.writer.create(doc, actor, idempotencyKey !== undefined);
    return this.withLog(stored.document);
  }

  async update(key: JobKey, request: JobRequestDto, actor: Actor): Promise<JobWithLog> {
    const current = await this.repository.get(key);
    const doc = this.buildDocument(key, request, current.document);
    await this.calendars.assertExist(key.account, doc.blackout_calendars ?? []);
    await this.checkSteps(doc, actor);
    const stored = await this.writer.replace(current, doc, 'update', actor);
    return this.withLog(stored.document);
  }

  async delete(key: JobKey, actor: Actor): Promise<void> {
    // Read first, so the audit says what was deleted.
    await this.writer.delete(key, await this.readOrNull(key), actor);
  }

  deleteGroup(account: string, group: string, actor: Actor): Promise<DeleteGroupResult> {
    return this.writer.deleteGroup(account, group, actor);
  }

  /**
   * Queues a run now. The job must exist and its runner must be one the account may use (the
   * original queued it anyway); disabled jobs can be run by hand.
   */
  async run(key: JobKey, actor: Actor): Promise<{ run_id: string }> {
    const { document } = await this.repository.get(key);
    this.runners.resolve(key.account, document.details);
    const occurrence = manualOccurrence(key, this.clock.now());
    try {
      await this.enqueue(occurrence.id, () => this.queue.enqueue([occurrence]));
    } catch (err) {
      // Not confirmed is not refused: should the queue take it late, the run is on the record.
      if (err instanceof ServiceUnavailableError && err.message.includes('may still be queued')) {
        await this.auditor.run(actor, key, `${occurrence.id} (not confirmed by the queue in time)`);
      }
      throw err;
    }
    this.queueMetrics.scheduled.inc({ trigger: 'manual' });
    await this.auditor.run(actor, key, occurrence.id);
    return { run_id: occurrence.id };
  }

  /**
   * A queue that does not answer (Redis unreachable, or never reached since startup) is a 503
   * within a few seconds, never a request that hangs.
   */
  private async enqueue(id: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await withTimeout(send(), ENQUEUE_TIMEOUT_MS, 'the queue');
    } catch (err) {
      if (err instanceof QueueClosedError) {
        throw new ServiceUnavailableError('minion is shutting down', 5);
      }
      if (err instanceof TimeoutError) {
        throw new ServiceUnavailableError(
          `the queue is not available (${err.message}); the run ${id} may still be queued when it answers`,
        );
      }
      throw new ServiceUnavailableError(`the queue is not available: ${(err as Error).message}`);
    }
  }

  async runs(key: JobKey, limit: number): Promise<RunRecord[]> {
    await this.repository.get(key);
    return this.jobLog.list(key, limit);
  }

  /** The next `count` fire times in UTC and in the job's zone, with daylight-saving flags. */
  async upcoming(key: JobKey, count: number): Promise<NextFireTimes> {
    const { document } = await this.repository.get(key);
    const timezone = document.timezone ?? DEFAULT_TIMEZONE;
    const schedule = CronSchedule.parse(document.schedule_expression, timezone);
    return {
      timezone,
      schedule_expression: document.schedule_expression,
      enabled: document.enabled,
      next: await Promise.all(
        schedule.upcoming(this.clock.now(), count).map(async (t) => {
          const { paused, blackout } = await skipMarks(document, t, this.calendars);
          return {
            ...describeFireTime(t, schedule),
            ...(paused ? { paused: true } : {}),
            ...(blackout ? { blackout } : {}),
          };
        }),
      ),
    };
  }

  /** `{job, tags, log, next}`; tags from the log when the document has none (the original's). */
  async withLog(doc: JobDocument): Promise<JobWithLog> {
    const [log, logTags] = await Promise.all([
      this.jobLog.describe(doc).catch((err: Error) => {
        this.logger.warn(`run log of ${doc.group}/${doc.id} not described: ${err.message}`);
        return null;
      }),
      doc.tags === undefined
        ? this.jobLog.tags(doc).catch((err: Error) => {
            this.logger.warn(
              `tags of ${doc.group}/${doc.id} not read from its log: ${err.message}`,
            );
            return null;
          })
        : null,
    ]);
    const view = toJobView(doc, this.clock.now());
    return { ...view, tags: logTags ?? view.tags, log };
  }

  /** A job naming other jobs (a sequence): they must exist, be runnable, and not loop back. */
  private async checkSteps(doc: JobDocument, actor: Actor): Promise<void> {
    const runner = this.runners.get(doc.details.runner ?? '');
    const steps = runner ? runner.references(runner.parseDetails(doc.details)) : [];
    if (steps.length > 0) await this.stepCheck.check(doc, steps, actor.scope);
  }

  /**
   * Builds the stored document: path wins over body, server sets modified_at, runner validates
   * details. A job stored with a runner its account may not use (the original never checked)
   * keeps it through an update, so it can always be disabled or fixed; choosing such a runner
   * is refused.
   */
  buildDocument(key: JobKey, request: JobRequestDto, current?: JobDocument): JobDocument {
    const job = request.job;
    const keepsStoredRunner =
      current !== undefined &&
      job.details.runner !== undefined &&
      job.details.runner === current.details.runner &&
      this.runners.problem(key.account, current.details) !== null;
    if (keepsStoredRunner) this.runners.get(job.details.runner)?.parseDetails(job.details);
    else this.runners.parse(key.account, job.details);
    const doc: JobDocument = {
      account: key.account,
      description: job.description ?? '',
      details: { ...job.details },
      group: key.group,
      id: key.id,
      modified_at: rfc3339(this.clock.now()),
      modified_by: job.modified_by ?? '',
      name: job.name,
      schedule_expression: job.schedule_expression,
      enabled: job.enabled,
      tags: (request.tags ?? []).map(({ key: k, value }) => ({ key: k, value })),
    };
    if (job.timezone && job.timezone !== DEFAULT_TIMEZONE) doc.timezone = job.timezone;
    if (job.blackout_calendars?.length) doc.blackout_calendars = [...job.blackout_calendars];
    // A pause is not part of the job's definition: an update keeps it (resume ends it).
    if (current?.pause) doc.pause = current.pause;
    return doc;
  }
}
