import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MinionSettings } from '../config/settings';
import { CoordinationModule } from '../coordination/coordination.module';
import { RepositoryModule } from '../repository/repository.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { HealthController } from './health.controller';
import { RepositoryHealthIndicator } from './repository.health';
import { SchedulerHealthIndicator } from './scheduler.health';
import { ShutdownState } from './shutdown-state';
import { SystemController } from './system.controller';

/** Probes (liveness, readiness: repository, job cache, coordination, shutdown) and ping/version. */
@Module({})
export class HealthModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    return {
      module: HealthModule,
      imports: [
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        CoordinationModule.forRoot(settings),
        RepositoryModule,
        JobCacheModule,
      ],
      controllers: [HealthController, SystemController],
      providers: [RepositoryHealthIndicator, SchedulerHealthIndicator, ShutdownState],
      exports: [ShutdownState],
    };
  }
}
