import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { MinionConfig, S3RepositoryOptions } from '../config/minion-config';
import { FileJobsRepository } from './file-jobs.repository';
import { JobChanges } from './job-changes';
import { JobsRepository } from './jobs.repository';
import { S3JobsRepository } from './s3-jobs.repository';

/** Chooses the `JobsRepository` implementation from `jobsRepository.type`, in one place. */
export function createJobsRepository(config: MinionConfig): JobsRepository {
  const repo = config.jobsRepository;
  switch (repo.type) {
    case 'file':
      return new FileJobsRepository(String(repo.config.path), config.org);
    case 's3':
      return new S3JobsRepository(repo.config as unknown as S3RepositoryOptions, config.org);
    default:
      throw new Error(`jobsRepository.type "${repo.type}" is not supported`);
  }
}

@Global()
@Module({
  providers: [
    { provide: JobsRepository, useFactory: createJobsRepository, inject: [MinionConfig] },
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
