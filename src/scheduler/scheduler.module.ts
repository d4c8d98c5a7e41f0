import { Global, Logger, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { MinionConfig } from '../config/minion-config';
import { Executor } from './executor.service';
import { FileScheduleMarker } from './file-schedule-marker';
import { JobCache } from './job-cache.service';
import { JobLock, MemoryJobLock } from './job-lock';
import { JobQueue } from './job-queue';
import { MemoryJobQueue } from './memory-job-queue';
import { CronMinuteTicker, MinuteTicker } from './minute-ticker';
import { ScheduleMarker } from './schedule-marker';
import { SchedulerMetrics } from './scheduler.metrics';
import { SchedulerService } from './scheduler.service';

/** The queue implementation, chosen from `queueProvider` in one place. */
export function createJobQueue(config: MinionConfig, clock: Clock): JobQueue {
  const s = config.schedulerSettings;
  if (config.queueProvider || config.lockProvider) {
    new Logger('Scheduler').warn(
      'queueProvider/lockProvider are not used by this version: one process, in-memory queue. ' +
        'Do not run several replicas on this config.',
    );
  }
  return new MemoryJobQueue({ attempts: s.attempts, delayMs: s.retryDelayMs }, clock);
}

@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    SchedulerMetrics,
    JobCache,
    Executor,
    SchedulerService,
    { provide: JobQueue, useFactory: createJobQueue, inject: [MinionConfig, Clock] },
    { provide: JobLock, useClass: MemoryJobLock },
    {
      provide: ScheduleMarker,
      useFactory: (config: MinionConfig) => new FileScheduleMarker(config.dataDir, config.org),
      inject: [MinionConfig],
    },
    { provide: MinuteTicker, useClass: CronMinuteTicker },
  ],
  exports: [SchedulerService, JobCache, JobQueue],
})
export class SchedulerModule {}
