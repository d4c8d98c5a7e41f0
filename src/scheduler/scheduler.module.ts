import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RunsModule } from '../runs/runs.module';
import { ClockMinuteTicker, MinuteTicker } from './minute-ticker';
import { SchedulerMetrics } from './scheduler.metrics';
import { SchedulerService } from './scheduler.service';

/** The per-minute scheduler: its lifecycle, fed by the job cache, feeding the queue. */
@Module({
  imports: [CoordinationModule, JobCacheModule, RunsModule, MetricsModule],
  providers: [
    SchedulerService,
    SchedulerMetrics,
    {
      provide: MinuteTicker,
      // Real minutes, or the fault suite's test clock (MINION_TEST_CLOCK).
      useFactory: (clock: Clock) => new ClockMinuteTicker(clock),
      inject: [Clock],
    },
  ],
  exports: [SchedulerService],
})
export class SchedulerModule {}
