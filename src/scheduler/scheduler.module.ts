import { Module } from '@nestjs/common';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import { Clock, ScaledClock } from '../common/clock';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RunsModule } from '../runs/runs.module';
import { ClockMinuteTicker, CronMinuteTicker, MinuteTicker } from './minute-ticker';
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
    {
      provide: MinuteTicker,
      // Real minutes, unless the fault suite's test clock runs (MINION_TEST_CLOCK).
      useFactory: (clock: Clock, registry: SchedulerRegistry) =>
        clock instanceof ScaledClock
          ? new ClockMinuteTicker(clock)
          : new CronMinuteTicker(registry),
      inject: [Clock, SchedulerRegistry],
    },
  ],
  exports: [SchedulerService],
})
export class SchedulerModule {}
