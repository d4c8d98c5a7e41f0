import { DynamicModule, Module, Provider } from '@nestjs/common';
import { Clock } from '../common/clock';
import { MinionSettings } from '../config/settings';
import { RepositoryModule } from '../repository/repository.module';
import { CoordinationHealth, LocalCoordinationHealth } from './coordination-health';
import { JobQueue } from './job-queue';
import { FileScheduleMarker } from './local/file-schedule-marker';
import { MemoryJobQueue } from './local/memory-job-queue';
import { BullMqJobQueue } from './redis/bullmq-job-queue';
import { RedisChangeRelay } from './redis/redis-change-relay';
import { RedisConnections } from './redis/redis-connections';
import { RedisHealth } from './redis/redis.health';
import { RedisScheduleMarker } from './redis/redis-schedule-marker';
import { ScheduleMarker } from './schedule-marker';
import { RedisSettings } from './coordination.config';
import { RetryPolicy } from '../domain/attempt';

const EXPORTS = [JobQueue, ScheduleMarker, CoordinationHealth];

/**
 * How replicas coordinate, decided once: `forRoot` returns the local module (in-memory queue,
 * file marker) or the Redis one (connections, BullMQ queue, shared marker, change relay, health
 * check), whole. The rest of the app sees only the ports: JobQueue, ScheduleMarker,
 * CoordinationHealth. The same settings give the same module, so every importer shares it.
 */
@Module({})
export class CoordinationModule {
  private static readonly modules = new WeakMap<MinionSettings, DynamicModule>();

  static forRoot(settings: MinionSettings): DynamicModule {
    let module = CoordinationModule.modules.get(settings);
    if (!module) {
      const c = settings.coordination;
      module = c.type === 'redis' ? redis(settings, c.redis) : local(settings);
      CoordinationModule.modules.set(settings, module);
    }
    return module;
  }
}

function policy(settings: MinionSettings): RetryPolicy {
  return { attempts: settings.scheduler.attempts, delayMs: settings.scheduler.retryDelayMs };
}

function local(settings: MinionSettings): DynamicModule {
  const providers: Provider[] = [
    {
      provide: JobQueue,
      useFactory: (clock: Clock) => new MemoryJobQueue(policy(settings), clock),
      inject: [Clock],
    },
    { provide: ScheduleMarker, useValue: new FileScheduleMarker(settings.dataDir, settings.org) },
    { provide: CoordinationHealth, useClass: LocalCoordinationHealth },
  ];
  return { module: CoordinationModule, providers, exports: EXPORTS };
}

function redis(settings: MinionSettings, redisSettings: RedisSettings): DynamicModule {
  const providers: Provider[] = [
    { provide: RedisConnections, useFactory: () => new RedisConnections(redisSettings) },
    {
      provide: JobQueue,
      useFactory: (connections: RedisConnections) =>
        new BullMqJobQueue(connections, policy(settings), settings.scheduler.runTimeoutMs),
      inject: [RedisConnections],
    },
    {
      provide: ScheduleMarker,
      useFactory: (connections: RedisConnections) => new RedisScheduleMarker(connections),
      inject: [RedisConnections],
    },
    {
      provide: CoordinationHealth,
      useFactory: (connections: RedisConnections, queue: JobQueue) =>
        new RedisHealth(connections, queue),
      inject: [RedisConnections, JobQueue],
    },
    RedisChangeRelay,
  ];
  return { module: CoordinationModule, imports: [RepositoryModule], providers, exports: EXPORTS };
}
