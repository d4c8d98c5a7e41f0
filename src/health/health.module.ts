import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RepositoryHealthIndicator } from './repository.health';
import { RedisHealthIndicator } from './redis.health';
import { SchedulerHealthIndicator } from './scheduler.health';
import { ShutdownState } from './shutdown-state';
import { SystemController } from './system.controller';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [HealthController, SystemController],
  providers: [
    RepositoryHealthIndicator,
    SchedulerHealthIndicator,
    RedisHealthIndicator,
    ShutdownState,
  ],
  exports: [ShutdownState],
})
export class HealthModule {}
