import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RunsModule } from '../runs/runs.module';
import { CronMinuteTicker, MinuteTicker } from './minute-ticker';
import { SchedulerMetrics } from './scheduler.metrics';
import { SchedulerService } from './scheduler.service';

/** The per-minute scheduler: its lifecycle, fed by the job cache, feeding the queue. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    CoordinationModule,
    JobCacheModule,
    RunsModule,
    MetricsModule,
  ],
  providers: [
    SchedulerService,
    SchedulerMetrics,
    { provide: MinuteTicker, useClass: CronMinuteTicker },
  ],
  exports: [SchedulerService],
})
export class SchedulerModule {}
