import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { MinionSettings } from '../config/settings';
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
import { BullMqJobQueue } from './redis/bullmq-job-queue';
import { RedisChangeRelay } from './redis/redis-change-relay';
import { RedisConnections } from './redis/redis-connections';
import { RedisJobLock } from './redis/redis-job-lock';
import { RedisScheduleMarker } from './redis/redis-schedule-marker';
import { JobChanges } from '../repository/job-changes';

/** The queue implementation, chosen from `queueProvider` in one place. */
export function createJobQueue(
  config: MinionSettings,
  clock: Clock,
  redis: RedisConnections | null,
): JobQueue {
  const s = config.scheduler;
  const policy = { attempts: s.attempts, delayMs: s.retryDelayMs };
  return redis ? new BullMqJobQueue(redis, policy) : new MemoryJobQueue(policy, clock);
}

@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [
    SchedulerMetrics,
    JobCache,
    Executor,
    SchedulerService,
    {
      provide: RedisConnections,
      useFactory: (config: MinionSettings) => {
        const c = config.coordination;
        return c.type === 'redis' ? new RedisConnections(c.redis) : null;
      },
      inject: [MinionSettings],
    },
    {
      provide: JobQueue,
      useFactory: createJobQueue,
      inject: [MinionSettings, Clock, RedisConnections],
    },
    {
      provide: JobLock,
      useFactory: (redis: RedisConnections | null) =>
        redis ? new RedisJobLock(redis) : new MemoryJobLock(),
      inject: [RedisConnections],
    },
    {
      provide: ScheduleMarker,
      useFactory: (config: MinionSettings, redis: RedisConnections | null) =>
        redis ? new RedisScheduleMarker(redis) : new FileScheduleMarker(config.dataDir, config.org),
      inject: [MinionSettings, RedisConnections],
    },
    {
      provide: RedisChangeRelay,
      useFactory: (redis: RedisConnections | null, changes: JobChanges) =>
        redis ? new RedisChangeRelay(redis, changes) : null,
      inject: [RedisConnections, JobChanges],
    },
    { provide: MinuteTicker, useClass: CronMinuteTicker },
  ],
  exports: [SchedulerService, JobCache, JobQueue, RedisConnections],
})
export class SchedulerModule {}
