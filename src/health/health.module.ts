import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RepositoryModule } from '../repository/repository.module';
import { HealthController } from './health.controller';
import { RepositoryHealthIndicator } from './repository.health';
import { SchedulerHealthIndicator } from './scheduler.health';
import { ShutdownState } from './shutdown-state';
import { SystemController } from './system.controller';

/** Probes (liveness, readiness: repository, job cache, coordination, shutdown) and ping/version. */
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
    CoordinationModule,
    RepositoryModule,
    JobCacheModule,
    MetricsModule,
  ],
  controllers: [HealthController, SystemController],
  providers: [RepositoryHealthIndicator, SchedulerHealthIndicator, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
