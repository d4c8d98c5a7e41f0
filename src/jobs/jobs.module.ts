import { DynamicModule, Module } from '@nestjs/common';
import { AuditController } from '../audit/audit.controller';
import { AuditModule } from '../audit/audit.module';
import { CalendarsController } from '../calendars/calendars.controller';
import { CalendarsModule } from '../calendars/calendars.module';
import { ScheduleController } from '../schedule/schedule.controller';
import { ScheduleService } from '../schedule/schedule.service';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { MinionSettings } from '../config/settings';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobLogModule } from '../job-log/job-log.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { PausesController } from './pauses.controller';
import { PausesService } from './pauses.service';

/** The jobs API: storage, validation by the runners, run history, and run-now on the queue. */
@Module({})
export class JobsModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    return {
      module: JobsModule,
      imports: [
        CoordinationModule.forRoot(settings),
        RepositoryModule,
        RunnersModule,
        JobLogModule,
        MetricsModule,
        AuditModule,
        CalendarsModule,
        JobCacheModule,
      ],
      controllers: [
        JobsController,
        PausesController,
        AuditController,
        CalendarsController,
        ScheduleController,
      ],
      providers: [JobsService, PausesService, ScheduleService],
    };
  }
}
