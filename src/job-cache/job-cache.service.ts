import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { Clock } from '../common/clock';
import { CronSchedule } from '../common/cron/cron-schedule';
import { ServiceUnavailableError } from '../common/errors';
import { Accounts } from '../domain/accounts';
import { JobCacheSettings } from './job-cache.config';
import { JobKey, jobRef } from '../domain/job-key';
import { JobCacheMetrics } from './job-cache.metrics';
import { JobChange, JobChanges } from '../domain/job-changes';
import { CorruptJobError, JobDocument } from '../domain/job-document';
import { JobsRepository } from '../repository/jobs.repository';
import { RunnerRegistry } from '../runners/runner-registry';
import { JobListing } from './job-listing';
import { JobProblem, JobProblems } from './job-problems';

export interface CachedJob {
  key: string;
  /** Where the job lives, made once when it is cached. */
  job: JobKey;
  doc: JobDocument;
  /** null when the stored expression cannot be parsed (data written by another tool). */
  schedule: CronSchedule | null;
}

export type CacheListener = (key: string, job: CachedJob | null) => void;

/**
 * Every enabled job of every configured account, in memory: what the scheduler fires from.
 * Loaded at start with bounded parallel reads, refreshed every `refreshInterval`, and updated at
 * once by API writes (JobChanges). A failed refresh keeps the last good cache.
 */
@Injectable()
export class JobCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(JobCache.name);
  private readonly jobs = new Map<string, CachedJob>();
  private readonly listeners: CacheListener[] = [];
  private subscription?: Subscription;
  /** Keys (or `account/group/` prefixes) changed by events while a load is in flight: the event is newer. */
  private touchedDuringLoad: Set<string> | null = null;
  /** The changes heard while a load is in flight, replayed onto the listing it makes. */
  private changesDuringLoad: JobChange[] | null = null;
  /** Every job's key, enabled or not; answers the list routes once loaded (`listing`). */
  private readonly keys = new JobListing();
  private loading: Promise<boolean> | null = null;
  /** Enabled jobs that cannot run as stored; each is logged once when first found. */
  private readonly problems: JobProblems;

  loaded = false;
  lastLoadAt: Date | null = null;
  lastLoadError: string | null = null;

  constructor(
    private readonly settings: JobCacheSettings,
    private readonly accounts: Accounts,
    private readonly repository: JobsRepository,
    private readonly changes: JobChanges,
    private readonly metrics: JobCacheMetrics,
    private readonly clock: Clock,
    runners: RunnerRegistry,
  ) {
    this.problems = new JobProblems(runners, this.logger);
  }

  onModuleInit(): void {
    this.metrics.observe(this);
    this.subscription = this.changes.subscribe((change) => this.apply(change));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  get size(): number {
    return this.jobs.size;
  }

  all(): IterableIterator<CachedJob> {
    return this.jobs.values();
  }

  get(key: string): CachedJob | undefined {
    return this.jobs.get(key);
  }

  /**
   * Every stored job's key (enabled or not) by account, once a load has finished; null before.
   * Current with every write this replica makes or hears of (the change relay), and replaced by
   * each load, which also brings in what was written around minion (other tools, a lost relay
   * message) at the latest after `refreshInterval`.
   */
  get listing(): JobListing | null {
    return this.loaded ? this.keys : null;
  }

  /**
   * For answers that need every enabled job (the schedule view, the overview, the check that a
   * deleted job is no sequence's step): a 503 with Retry-After while the first load is in flight
   * (readiness does not wait for it: the rest of the API answers from the repository meanwhile).
   */
  requireLoaded(): void {
    if (!this.loaded) {
      throw new ServiceUnavailableError('the job cache is still loading; try again shortly', 2);
    }
  }

  /** Enabled jobs whose schedule cannot be parsed or whose runner the account may not use. */
  jobProblems(): JobProblem[] {
    return this.problems.list();
  }

  onChange(listener: CacheListener): void {
    this.listeners.push(listener);
  }

  /** (Re)loads everything; resolves false (and keeps the last good cache) when the load fails. */
  load(): Promise<boolean> {
    this.loading ??= this.loadOnce().finally(() => (this.loading = null));
    return this.loading;
  }

  private async loadOnce(): Promise<boolean> {
    const started = process.hrtime.bigint();
    this.touchedDuringLoad = new Set();
    this.changesDuringLoad = [];
    try {
      await this.repository.startupCleanup();
      const accounts = this.accounts.names();
      const listed = await Promise.all(
        accounts.map((account) => this.repository.listAccount(account)),
      );
      const keys = listed.flatMap((entries, i) => entries.map((e) => `${accounts[i]}/${e}`));
      // One call for every key (no promise per job where the store can avoid it: the file store
      // reads a directory at a time); the results are in the keys' order.
      const docs = (await this.repository.loadKeys(keys, this.settings.loadConcurrency)).map(
        (doc) => (doc instanceof CorruptJobError ? this.corrupt(doc) : doc),
      );
      this.replaceListing(accounts, listed, docs);
      this.repository.loaded();
      this.replaceAll(keys, docs);
      this.loaded = true;
      this.lastLoadAt = this.clock.now();
      this.lastLoadError = null;
      this.logger.log(`job cache loaded: ${this.jobs.size} enabled of ${keys.length} jobs`);
      return true;
    } catch (err) {
      this.metrics.loadFailures.inc();
      this.lastLoadError = (err as Error).message;
      this.logger.error(
        `job cache load failed, keeping the last good cache: ${this.lastLoadError}`,
      );
      return false;
    } finally {
      this.touchedDuringLoad = null;
      this.changesDuringLoad = null;
      this.metrics.loadDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** A corrupt document keeps the previous version (said and counted). */
  private corrupt(err: CorruptJobError): 'keep' {
    this.metrics.loadFailures.inc();
    this.logger.warn(err.message);
    return 'keep';
  }

  private replaceAll(keys: string[], docs: (JobDocument | null | 'keep')[]): void {
    // Cached before the load and not changed during it: dropped unless the load found them. On a
    // first load there are none, and no set of every key is made (100k keys: GC at startup).
    const stale = [...this.jobs.keys()].filter((key) => !this.wasTouched(key));
    const seen = stale.length > 0 ? new Set<string>() : null;
    keys.forEach((key, i) => {
      const doc = docs[i];
      if (doc === 'keep') {
        seen?.add(key);
        return;
      }
      if (doc === null || this.wasTouched(key)) return;
      seen?.add(key);
      this.put(key, doc);
    });
    for (const key of stale) {
      if (!seen?.has(key)) this.drop(key);
    }
  }

  /**
   * The listing the load saw (less the jobs that vanished before their read), then every change
   * heard meanwhile, in order: each is at least as new as what the load listed.
   */
  private replaceListing(
    accounts: string[],
    listed: string[][],
    docs: (JobDocument | null | 'keep')[],
  ): void {
    let i = 0;
    accounts.forEach((account, a) => {
      this.keys.replace(
        account,
        listed[a].filter(() => docs[i++] !== null),
      );
    });
    for (const change of this.changesDuringLoad ?? []) this.list(change);
  }

  private wasTouched(key: string): boolean {
    return this.touchedDuringLoad?.has(key) ?? false;
  }

  private apply(change: JobChange): void {
    this.changesDuringLoad?.push(change);
    this.list(change);
    switch (change.type) {
      case 'saved': {
        const key = jobRef(change.document);
        this.touchedDuringLoad?.add(key);
        this.put(key, change.document);
        break;
      }
      case 'deleted': {
        const key = jobRef(change.key);
        this.touchedDuringLoad?.add(key);
        this.drop(key);
        break;
      }
      case 'groupDeleted': {
        // Exactly the jobs the delete removed: one created in the group meanwhile stays.
        for (const id of change.ids) {
          const key = jobRef({ account: change.account, group: change.group, id });
          this.touchedDuringLoad?.add(key);
          this.drop(key);
        }
        break;
      }
    }
  }

  private list(change: JobChange): void {
    if (change.type === 'saved') this.keys.add(change.document);
    else if (change.type === 'deleted') this.keys.remove(change.key);
    else
      for (const id of change.ids)
        this.keys.remove({ account: change.account, group: change.group, id });
  }

  /** Adds, replaces or (for a disabled job) removes; listeners hear only real changes. */
  private put(key: string, doc: JobDocument): void {
    if (!doc.enabled) return this.drop(key);
    const current = this.jobs.get(key);
    if (current && sameSchedule(current.doc, doc)) {
      current.doc = doc;
      this.problems.checkRunner(key, doc);
      return;
    }
    // The document is its own JobKey (account, group, id): no second object per cached job.
    const job: CachedJob = { key, job: doc, doc, schedule: this.problems.schedule(key, doc) };
    this.jobs.set(key, job);
    this.problems.checkRunner(key, doc);
    for (const listener of this.listeners) listener(key, job);
  }

  private drop(key: string): void {
    this.problems.forget(key);
    if (!this.jobs.delete(key)) return;
    this.listeners.forEach((l) => l(key, null));
  }
}

function sameSchedule(a: JobDocument, b: JobDocument): boolean {
  return (
    a.schedule_expression === b.schedule_expression && (a.timezone ?? '') === (b.timezone ?? '')
  );
}
