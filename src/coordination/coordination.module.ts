import { Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { JobChanges } from '../domain/job-changes';
import { MetricsModule } from '../metrics/metrics.module';
import { RedisMetrics } from './redis/redis.metrics';
import { RepositoryModule } from '../repository/repository.module';
import { CoordinationSettings } from './coordination.config';
import { CoordinationHealth, LocalCoordinationHealth } from './coordination-health';
import { JobQueue } from './job-queue';
import { QueueMetrics } from './queue.metrics';
import { FileScheduleMarker } from './local/file-schedule-marker';
import { MemoryJobQueue } from './local/memory-job-queue';
import { InterruptedRuns } from './local/interrupted-runs';
import { join } from 'node:path';
import { boundedFileName } from '../common/safe-segment';
import { BullMqJobQueue } from './redis/bullmq-job-queue';
import { RedisChangeRelay } from './redis/redis-change-relay';
import { RedisConnections } from './redis/redis-connections';
import { RedisHealth } from './redis/redis.health';
import { RedisScheduleMarker } from './redis/redis-schedule-marker';
import { ScheduleMarker } from './schedule-marker';
import { MemorySequenceProgress, SequenceProgress } from './sequence-progress';
import { RedisSequenceProgress } from './redis/redis-sequence-progress';

/** Where one process keeps the attempts a shutdown interrupted, beside its schedule marker. */
function interruptedFile(s: CoordinationSettings): string {
  return join(s.dataDir, '.scheduler', boundedFileName(s.org, '.interrupted.json'));
}

/** Redis connections with `queueProvider.type: "redis"`; null for one process. */
function connections(s: CoordinationSettings, metrics: RedisMetrics): RedisConnections | null {
  return s.backend.type === 'redis' ? new RedisConnections(s.backend.redis, metrics) : null;
}

/**
 * How replicas coordinate, chosen from `CoordinationSettings` in one factory per port: local
 * (in-memory queue, file marker, nothing to check) or Redis (BullMQ queue, shared marker, a
 * relay of job changes to the other replicas, a health check). The rest of the app sees only the
 * ports: JobQueue, ScheduleMarker, CoordinationHealth.
 */
@Module({
  imports: [RepositoryModule, MetricsModule],
  providers: [
    QueueMetrics,
    RedisMetrics,
    {
      provide: RedisConnections,
      useFactory: connections,
      inject: [CoordinationSettings, RedisMetrics],
    },
    {
      provide: JobQueue,
      useFactory: (s: CoordinationSettings, clock: Clock, redis: RedisConnections | null) =>
        redis
          ? new BullMqJobQueue(redis, s.retry, s.runTimeoutMs, redis.settings.batchFrom)
          : new MemoryJobQueue(s.retry, clock, {
              runs: new InterruptedRuns(interruptedFile(s)),
              withinMs: s.settleWithinMs,
            }),
      inject: [CoordinationSettings, Clock, RedisConnections],
    },
    {
      provide: ScheduleMarker,
      useFactory: (s: CoordinationSettings, redis: RedisConnections | null) =>
        redis ? new RedisScheduleMarker(redis) : new FileScheduleMarker(s.dataDir, s.org),
      inject: [CoordinationSettings, RedisConnections],
    },
    {
      provide: SequenceProgress,
      useFactory: (redis: RedisConnections | null) =>
        redis ? new RedisSequenceProgress(redis) : new MemorySequenceProgress(),
      inject: [RedisConnections],
    },
    {
      provide: CoordinationHealth,
      useFactory: (redis: RedisConnections | null, queue: JobQueue) =>
        redis ? new RedisHealth(redis, queue) : new LocalCoordinationHealth(),
      inject: [RedisConnections, JobQueue],
    },
    {
      // Listens from its onModuleInit: only with Redis is there another replica to tell.
      provide: RedisChangeRelay,
      useFactory: (redis: RedisConnections | null, changes: JobChanges) =>
        redis ? new RedisChangeRelay(redis, changes) : null,
      inject: [RedisConnections, JobChanges],
    },
  ],
  exports: [JobQueue, ScheduleMarker, CoordinationHealth, QueueMetrics, SequenceProgress],
})
export class CoordinationModule {}
