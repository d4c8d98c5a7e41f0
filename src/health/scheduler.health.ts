import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobCache } from '../job-cache/job-cache.service';

const MAX_LISTED = 20;

/** Not ready until the first job cache load finished; afterwards reports the last load. */
@Injectable()
export class SchedulerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly cache: JobCache,
  ) {}

  check(): HealthIndicatorResult {
    const session = this.health.check('scheduler');
    const problems = this.cache.jobProblems();
    const details = {
      jobs: this.cache.size,
      lastLoadAt: this.cache.lastLoadAt?.toISOString() ?? null,
      lastLoadError: this.cache.lastLoadError,
      // Never a reason to be unready, but never silent either: the first few, and how many.
      unrunnable: { count: problems.length, jobs: problems.slice(0, MAX_LISTED) },
    };
    if (!this.cache.loaded)
      return session.down({ ...details, message: 'job cache not loaded yet' });
    return session.up(details);
  }
}
