import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { MinionSettings } from '../config/settings';
import { FileJobsRepository } from './file-jobs.repository';
import { JobChanges } from '../domain/job-changes';
import { JobsRepository } from './jobs.repository';
import { S3JobsRepository } from './s3-jobs.repository';

/** Chooses the `JobsRepository` implementation from `jobsRepository.type`, in one place. */
export function createJobsRepository(settings: MinionSettings): JobsRepository {
  const repo = settings.repository;
  switch (repo.type) {
    case 'file':
      return new FileJobsRepository(repo.path, settings.org);
    case 's3':
      return new S3JobsRepository(repo.s3, settings.org);
  }
}

@Module({
  providers: [
    { provide: JobsRepository, useFactory: createJobsRepository, inject: [MinionSettings] },
    JobChanges,
  ],
  exports: [JobsRepository, JobChanges],
})
export class RepositoryModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(RepositoryModule.name);

  constructor(private readonly repository: JobsRepository) {}

  /** Housekeeping before the scheduler loads: temp files a crash left behind. */
  async onApplicationBootstrap(): Promise<void> {
    await this.repository
      .cleanup()
      .catch((err: Error) => this.logger.warn(`startup cleanup failed: ${err.message}`));
  }
}
