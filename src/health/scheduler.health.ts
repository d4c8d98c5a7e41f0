import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobCache } from '../scheduler/job-cache.service';

/** Not ready until the first job cache load finished; afterwards reports the last load. */
@Injectable()
export class SchedulerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly cache: JobCache,
  ) {}

  check(): HealthIndicatorResult {
    const session = this.health.check('scheduler');
    const details = {
      jobs: this.cache.size,
      lastLoadAt: this.cache.lastLoadAt?.toISOString() ?? null,
      lastLoadError: this.cache.lastLoadError,
    };
    if (!this.cache.loaded)
      return session.down({ ...details, message: 'job cache not loaded yet' });
    return session.up(details);
  }
}
