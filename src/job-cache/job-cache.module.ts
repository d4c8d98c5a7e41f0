import { Module } from '@nestjs/common';
import { JobLogModule } from '../job-log/job-log.module';
import { MetricsModule } from '../metrics/metrics.module';
import { FleetMatches } from './fleet-matches.service';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { JobCacheMetrics } from './job-cache.metrics';
import { JobCache } from './job-cache.service';

/** Every enabled job, in memory: what the scheduler plans from and the executor runs from. */
@Module({
  imports: [RepositoryModule, RunnersModule, MetricsModule, JobLogModule],
  providers: [JobCache, JobCacheMetrics, FleetMatches],
  exports: [JobCache, FleetMatches],
})
export class JobCacheModule {}
