import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { JobsRepository } from './jobs.repository';

/** Stored keys that are not job keys, read from the repository when Prometheus scrapes. */
@Injectable()
export class RepositoryMetrics {
  constructor(metrics: MetricsRegistry, repository: JobsRepository) {
    metrics.counter({
      name: 'minion_repository_unreadable_keys_total',
      help: 'Stored keys found in the jobs repository that are not job keys (logged once each)',
      collect() {
        this.reset();
        this.inc(repository.unreadableKeys);
      },
    });
  }
}
