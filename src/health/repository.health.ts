import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { withTimeout } from '../common/timeout';
import { JobsRepository } from '../repository/jobs.repository';

const CHECK_TIMEOUT_MS = 3000;

/**
 * Ready only when the jobs repository answers a write/read/delete probe in time. One probe at a
 * time: while storage hangs, probes arriving meanwhile wait on the probe in flight rather than
 * piling new ones onto it.
 */
@Injectable()
export class RepositoryHealthIndicator {
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly repository: JobsRepository,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const session = this.health.check('repository');
    try {
      this.inFlight ??= this.repository.check().finally(() => (this.inFlight = null));
      await withTimeout(this.inFlight, CHECK_TIMEOUT_MS, 'repository check');
      return session.up({ location: this.repository.location });
    } catch (err) {
      return session.down({ location: this.repository.location, message: (err as Error).message });
    }
  }
}
