import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { MinionSettings } from '../config/settings';
import { CoordinationModule } from '../coordination/coordination.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RunsModule } from '../runs/runs.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { CronMinuteTicker, MinuteTicker } from './minute-ticker';
import { SchedulerService } from './scheduler.service';

/** The per-minute scheduler: its lifecycle, fed by the job cache, feeding the queue. */
@Module({})
export class SchedulerModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ScheduleModule.forRoot(),
        CoordinationModule.forRoot(settings),
        JobCacheModule,
        RunsModule,
        MetricsModule,
      ],
      providers: [SchedulerService, { provide: MinuteTicker, useClass: CronMinuteTicker }],
      exports: [SchedulerService],
    };
  }
}
