import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { FileJobsRepository } from './file-jobs.repository';
import { JobChanges } from '../domain/job-changes';
import { MetricsModule } from '../metrics/metrics.module';
import { RepositoryMetrics } from './repository.metrics';
import { RepositorySettings } from './repository.config';
import { JobsRepository } from './jobs.repository';
import { S3JobsRepository } from './s3-jobs.repository';

/** Chooses the `JobsRepository` implementation from `jobsRepository.type`, in one place. */
export function createJobsRepository(settings: RepositorySettings): JobsRepository {
  const store = settings.store;
  return store.type === 's3'
    ? new S3JobsRepository(store.s3, settings.org)
    : new FileJobsRepository(store.path, settings.org);
}

@Module({
  imports: [MetricsModule],
  providers: [
    RepositoryMetrics,
    { provide: JobsRepository, useFactory: createJobsRepository, inject: [RepositorySettings] },
    JobChanges,
  ],
  exports: [JobsRepository, JobChanges],
})
export class RepositoryModule implements OnApplicationBootstrap {
  constructor(private readonly repository: JobsRepository) {}

  /**
   * Housekeeping (temp files a crash left behind) in the background: the HTTP server does not
   * wait for a walk of every group; the first cache load does (`startupCleanup`).
   */
  onApplicationBootstrap(): void {
    void this.repository.startupCleanup();
  }
}
