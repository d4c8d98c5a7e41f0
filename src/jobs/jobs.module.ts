import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CalendarsModule } from '../calendars/calendars.module';
import { CoordinationModule } from '../coordination/coordination.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { JobLogModule } from '../job-log/job-log.module';
import { RepositoryModule } from '../repository/repository.module';
import { RunnersModule } from '../runners/runners.module';
import { DryRunsService } from './dry-runs.service';
import { JobWriter } from './job-writer.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { PausesController } from './pauses.controller';
import { PausesService } from './pauses.service';
import { StepCheck } from './step-check';

/**
 * The jobs API: listings, reads and writes (every write through JobWriter: stored, announced,
 * audited), runs now (the queue), dry runs, pauses, run history and next fire times.
 */
@Module({
  imports: [
    CoordinationModule,
    RepositoryModule,
    RunnersModule,
    JobLogModule,
    AuditModule,
    CalendarsModule,
    JobCacheModule,
  ],
  controllers: [JobsController, PausesController],
  providers: [JobsService, JobWriter, DryRunsService, PausesService, StepCheck],
})
export class JobsModule {}
