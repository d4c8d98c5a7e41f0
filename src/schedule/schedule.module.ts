import { Module } from '@nestjs/common';
import { CalendarsModule } from '../calendars/calendars.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { ScheduleController } from './schedule.controller';
import { ScheduleService } from './schedule.service';

/**
 * What will happen in an account (`GET /{account}/schedule`): read from the scheduler's job
 * cache, each job's resource and action as its runner describes it, pauses and blackouts
 * marked as the executor will skip them.
 */
@Module({
  imports: [JobCacheModule, RunnersModule, CalendarsModule, RepositoryModule],
  controllers: [ScheduleController],
  providers: [ScheduleService],
})
export class ScheduleModule {}
