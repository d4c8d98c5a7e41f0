import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { JobCacheMetrics } from './job-cache.metrics';
import { JobCache } from './job-cache.service';

/** Every enabled job, in memory: what the scheduler plans from and the executor runs from. */
@Module({
  imports: [RepositoryModule, RunnersModule, MetricsModule],
  providers: [JobCache, JobCacheMetrics],
  exports: [JobCache],
})
export class JobCacheModule {}
