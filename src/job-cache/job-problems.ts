import { Logger } from '@nestjs/common';
import { CronSchedule, DEFAULT_TIMEZONE } from '../common/cron/cron-schedule';
import { JobDocument } from '../domain/job-document';
import { RunnerRegistry } from '../runners/runner-registry';

/** An enabled job that cannot run as stored: its schedule or its runner is unusable. */
export interface JobProblem {
  job: string;
  problem: 'schedule' | 'runner';
  reason: string;
}

/**
 * The cached jobs that cannot run as stored (readiness lists them): a schedule that does not
 * parse, a runner the account may not use. Each is logged once when first found (again if its
 * reason changes) and forgotten when fixed or when the job leaves the cache.
 */
export class JobProblems {
  private readonly problems = new Map<string, JobProblem>();

  constructor(
    private readonly runners: RunnerRegistry,
    /** The job cache's: the warnings are the cache's. */
    private readonly logger: Logger,
  ) {}

  list(): JobProblem[] {
    return [...this.problems.values()];
  }

  /** The job left the cache. */
  forget(key: string): void {
    this.problems.delete(key);
  }

  /** The schedule, or null (logged once, counted and listed under readiness) when unusable. */
  schedule(key: string, doc: JobDocument): CronSchedule | null {
    try {
      const schedule = CronSchedule.parse(
        doc.schedule_expression,
        doc.timezone ?? DEFAULT_TIMEZONE,
      );
      // (No lookup while there are no problems: a load puts 100k jobs.)
      if (this.problems.size > 0 && this.problems.get(key)?.problem === 'schedule') {
        this.problems.delete(key);
      }
      return schedule;
    } catch (err) {
      this.report({ job: key, problem: 'schedule', reason: (err as Error).message }, () =>
        this.logger.warn(
          `job ${key} has an unusable schedule ${JSON.stringify(doc.schedule_expression)} and will ` +
            `not fire: ${(err as Error).message}`,
        ),
      );
      return null;
    }
  }

  /** A runner the account may not use: every run fails, so say so once, now. */
  checkRunner(key: string, doc: JobDocument): void {
    const known = this.problems.size > 0;
    if (known && this.problems.get(key)?.problem === 'schedule') return;
    const reason = this.runners.problem(doc.account, doc.details);
    if (reason === null) {
      if (known) this.problems.delete(key);
      return;
    }
    this.report({ job: key, problem: 'runner', reason }, () =>
      this.logger.warn(
        `job ${key} cannot run: ${reason}; each of its runs fails until it is fixed, disabled ` +
          'or deleted (PUT and DELETE work)',
      ),
    );
  }

  private report(problem: JobProblem, log: () => void): void {
    const known = this.problems.get(problem.job);
    if (known?.reason !== problem.reason) log();
    this.problems.set(problem.job, problem);
  }
}
