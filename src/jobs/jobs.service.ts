import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock, rfc3339 } from '../common/clock';
import { CronSchedule, DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';
import { describeFireTime, FireTimeView } from '../common/cron/dst';
import { AccountNotFoundError, JobNotFoundError, ServiceUnavailableError } from '../common/errors';
import { MinionSettings } from '../config/settings';
import { JobLog } from '../job-log/job-log';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { JobChanges } from '../domain/job-changes';
import { activePause, JobDocument } from '../domain/job-document';
import { DeleteGroupResult, JobsRepository, ListPage } from '../repository/jobs.repository';
import { RunnerRegistry } from '../runners/runner-registry';
import { TimeoutError, withDeadline, withTimeout } from '../common/timeout';
import { DryRunReport } from '../domain/dry-run';
import { JobQueue, QueueClosedError } from '../coordination/job-queue';
import { manualOccurrence } from '../domain/occurrence';
import { MinionMetrics } from '../metrics/minion-metrics';
import { Actor } from '../audit/audit-entry';
import { Auditor } from '../audit/auditor.service';
import { CalendarsService } from '../calendars/calendars.service';
import { JobRequestDto } from './dto/job-request.dto';
import { filteredPage, isEmptyFilter, JobFilter } from './job-filter';
import { JobView, toJobView } from './job-view';
import { JobKey } from '../domain/job-key';

/** A dry run's describe calls answer within this, or the API answers 503. */
const DRY_RUN_TIMEOUT_MS = 20_000;

export interface DryRunAnswer extends DryRunReport {
  /** The job's runner (`details.runner`) and its type. */
  runner: string;
  type: string;
}

/** A manual run's enqueue answers within this, or the API answers 503. */
const ENQUEUE_TIMEOUT_MS = 3000;

export interface JobWithLog extends JobView {
  /** null when the job has no log yet (the original's create answer had `log: null`). */
  log: RunLogInfo | null;
}

/** One page of a listing, and whether another follows. */
export interface Page {
  items: string[];
  more: boolean;
}

/** Asks for one entry more than the page holds, to know whether a next page exists. */
async function paged(page: ListPage, list: (p: ListPage) => Promise<string[]>): Promise<Page> {
  if (page.limit === undefined) return { items: await list(page), more: false };
  const items = await list({ ...page, limit: page.limit + 1 });
  return { items: items.slice(0, page.limit), more: items.length > page.limit };
}

export interface NextFireTimes {
  timezone: string;
  schedule_expression: string;
  enabled: boolean;
  next: (FireTimeView & { paused?: boolean; blackout?: string })[];
}

/**
 * Job management: the checks that need configuration (account, runner), storage, change
 * announcements for the scheduler's cache, run requests and run history.
 */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly config: MinionSettings,
    private readonly repository: JobsRepository,
    private readonly runners: RunnerRegistry,
    private readonly changes: JobChanges,
    private readonly jobLog: JobLog,
    private readonly queue: JobQueue,
    private readonly metrics: MinionMetrics,
    private readonly clock: Clock,
    private readonly auditor: Auditor,
    private readonly calendars: CalendarsService,
  ) {}

  async listAccount(account: string, page: ListPage = {}, filter: JobFilter = {}): Promise<Page> {
    this.ensureAccount(account);
    const list = (p: ListPage) => this.repository.listAccount(account, p);
    if (isEmptyFilter(filter)) return paged(page, list);
    return filteredPage(page, filter, list, (entry) => {
      const slash = entry.indexOf('/');
      return this.readOrNull({ account, group: entry.slice(0, slash), id: entry.slice(slash + 1) });
    });
  }

  async listGroup(
    account: string,
    group: string,
    page: ListPage = {},
    filter: JobFilter = {},
  ): Promise<Page> {
    this.ensureAccount(account);
    const list = (p: ListPage) => this.repository.listGroup(account, group, p);
    if (isEmptyFilter(filter)) return paged(page, list);
    return filteredPage(page, filter, list, (id) => this.readOrNull({ account, group, id }));
  }

  /** A listed job, or null when it was deleted since the listing. */
  private async readOrNull(key: JobKey): Promise<JobDocument | null> {
    try {
      return (await this.repository.get(key)).document;
    } catch (err) {
      if (err instanceof JobNotFoundError) return null;
      throw err;
    }
  }

  async get(key: JobKey): Promise<JobWithLog> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    return this.withLog(document);
  }

  async create(
    account: string,
    group: string,
    request: JobRequestDto,
    actor: Actor,
  ): Promise<JobWithLog> {
    this.ensureAccount(account);
    const doc = this.buildDocument({ account, group, id: randomUUID() }, request);
    await this.calendars.assertExist(account, doc.blackout_calendars ?? []);
    const stored = await this.repository.create(doc);
    await this.saved(stored.document);
    await this.auditor.job('create', actor, null, stored.document);
    return this.withLog(stored.document);
  }

  async update(key: JobKey, request: JobRequestDto, actor: Actor): Promise<JobWithLog> {
    this.ensureAccount(key.account);
    const current = await this.repository.get(key);
    const doc = this.buildDocument(key, request, current.document);
    await this.calendars.assertExist(key.account, doc.blackout_calendars ?? []);
    const stored = await this.repository.update(doc, current.version);
    await this.saved(stored.document);
    await this.auditor.job('update', actor, current.document, stored.document);
    return this.withLog(stored.document);
  }

  async delete(key: JobKey, actor: Actor): Promise<void> {
    this.ensureAccount(key.account);
    // Read first, so the audit says what was deleted.
    const before = await this.readOrNull(key);
    await this.repository.delete(key);
    if (before) await this.auditor.job('delete', actor, before, null);
    this.changes.publish({ type: 'deleted', key });
    await this.jobLog
      .jobDeleted(key)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
  }

  async deleteGroup(account: string, group: string, actor: Actor): Promise<DeleteGroupResult> {
    this.ensureAccount(account);
    const result = await this.repository.deleteGroup(account, group);
    await this.auditor.group('delete-group', actor, account, group, result.deleted);
    this.changes.publish({ type: 'groupDeleted', account, group, ids: result.deleted });
    await this.jobLog
      .groupDeleted(account, group, result.deleted)
      .catch((err: Error) => this.logger.warn(`run log cleanup: ${err.message}`));
    return result;
  }

  /**
   * Queues a run now. The job must exist and its runner must be one the account may use (the
   * original queued it anyway); disabled jobs can be run by hand.
   */
  async run(key: JobKey, actor: Actor): Promise<{ run_id: string }> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    this.runners.resolve(key.account, document.details);
    const occurrence = manualOccurrence(key, this.clock.now());
    await this.enqueue(occurrence.id, () => this.queue.enqueue([occurrence]));
    this.metrics.scheduled.inc({ trigger: 'manual' });
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

  /** What running the stored job now would do, without doing it (nothing is recorded). */
  async dryRun(key: JobKey): Promise<DryRunAnswer> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    return this.dryRunDocument(document);
  }

  /** The same for a job body not saved: validated as a create would validate it. */
  async dryRunUnsaved(
    account: string,
    group: string,
    request: JobRequestDto,
  ): Promise<DryRunAnswer> {
    this.ensureAccount(account);
    return this.dryRunDocument(this.buildDocument({ account, group, id: 'unsaved' }, request));
  }

  private async dryRunDocument(doc: JobDocument): Promise<DryRunAnswer> {
    const { runner, details } = this.runners.parse(doc.account, doc.details);
    try {
      const report = await withDeadline(
        (signal) => runner.dryRun({ account: doc.account, job: doc, signal }, details),
        DRY_RUN_TIMEOUT_MS,
        'the dry run',
      );
      return { runner: runner.name, type: runner.type, ...report };
    } catch (err) {
      if (err instanceof TimeoutError) throw new ServiceUnavailableError(err.message);
      throw err;
    }
  }

  async runs(key: JobKey, limit: number): Promise<RunRecord[]> {
    this.ensureAccount(key.account);
    await this.repository.get(key);
    return this.jobLog.list(key, limit);
  }

  /** The next `count` fire times in UTC and in the job's zone, with daylight-saving flags. */
  async upcoming(key: JobKey, count: number): Promise<NextFireTimes> {
    this.ensureAccount(key.account);
    const { document } = await this.repository.get(key);
    const timezone = document.timezone ?? DEFAULT_TIMEZONE;
    const schedule = CronSchedule.parse(document.schedule_expression, timezone);
    return {
      timezone,
      schedule_expression: document.schedule_expression,
      enabled: document.enabled,
      next: await Promise.all(
        schedule.upcoming(this.clock.now(), count).map(async (t) => {
          const blackout = document.blackout_calendars
            ? await this.calendars.blackoutAt(key.account, document.blackout_calendars, t)
            : null;
          return {
            ...describeFireTime(t, schedule),
            ...(activePause(document, t) ? { paused: true } : {}),
            ...(blackout ? { blackout } : {}),
          };
        }),
      ),
    };
  }

  /**
   * The job is stored: the answer is a success whatever the run log says. A log that cannot be
   * prepared now (CloudWatch throttling) is made by the first run's record.
   */
  private async saved(doc: JobDocument): Promise<void> {
    this.changes.publish({ type: 'saved', document: doc });
    await this.jobLog
      .jobSaved(doc)
      .catch((err: Error) =>
        this.logger.warn(`run log of ${doc.group}/${doc.id} not prepared: ${err.message}`),
      );
  }

  /** `{job, tags, log, next}`; tags from the log when the document has none (the original's). */
  private async withLog(doc: JobDocument): Promise<JobWithLog> {
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

  /** 404 for an account the config does not know. */
  ensureAccount(account: string): void {
    if (!Object.prototype.hasOwnProperty.call(this.config.accounts, account)) {
      throw new AccountNotFoundError(account);
    }
  }

  /**
   * Builds the stored document: path wins over body, server sets modified_at, runner validates
   * details. A job stored with a runner its account may not use (the original never checked)
   * keeps it through an update, so it can always be disabled or fixed; choosing such a runner
   * is refused.
   */
  private buildDocument(key: JobKey, request: JobRequestDto, current?: JobDocument): JobDocument {
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
