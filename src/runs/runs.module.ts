import { Module } from '@nestjs/common';
import { CalendarsModule } from '../calendars/calendars.module';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobLogModule } from '../job-log/job-log.module';
import { MetricsModule } from '../metrics/metrics.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { Executor } from './executor.service';
import { RunRecorder } from './run-recorder.service';
import { RunMetrics } from './runs.metrics';

/** The run path after the queue: the executor runs an attempt, the recorder writes its history. */
@Module({
  imports: [
    JobCacheModule,
    RepositoryModule,
    RunnersModule,
    JobLogModule,
    NotificationsModule,
    MetricsModule,
    CalendarsModule,
    // The progress of sequences (in memory, or on Redis with several replicas).
    CoordinationModule,
  ],
  providers: [Executor, RunRecorder, RunMetrics],
  exports: [Executor, RunRecorder],
})
export class RunsModule {}
