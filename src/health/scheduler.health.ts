import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobCache } from '../job-cache/job-cache.service';

const MAX_LISTED = 20;

/**
 * Reports the job cache: whether its first load finished, the last load, unrunnable jobs. Never
 * a reason to be unready: a probe asks whether minion can answer requests, and while the first
 * load is in flight (seconds for 100k file jobs, minutes on S3) the API answers from the
 * repository, and the answers that need every job say 503 themselves (`JobCache.requireLoaded`);
 * the scheduler starts ticking when the load finishes and catches up the minutes it spanned.
 */
@Injectable()
export class SchedulerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly cache: JobCache,
  ) {}

  check(): HealthIndicatorResult {
    const session = this.health.check('scheduler');
    const problems = this.cache.jobProblems();
    return session.up({
      loaded: this.cache.loaded,
      jobs: this.cache.size,
      lastLoadAt: this.cache.lastLoadAt?.toISOString() ?? null,
      lastLoadError: this.cache.lastLoadError,
      // Never a reason to be unready, but never silent either: the first few, and how many.
      unrunnable: { count: problems.length, jobs: problems.slice(0, MAX_LISTED) },
    });
  }
}
