import { Module } from '@nestjs/common';
import { CalendarsModule } from '../calendars/calendars.module';
import { JobCacheModule } from '../job-cache/job-cache.module';
import { JobLogModule } from '../job-log/job-log.module';
import { RepositoryModule } from '../repository/repository.module';
import { ConsoleApiController } from './console-api.controller';
import { JobSummaries } from './job-summaries.service';
import { OverviewService } from './overview.service';
import { UiAssets } from './ui-assets';
import { UiController } from './ui.controller';

/**
 * The operator console: its built files under `/v1/minion/ui/` (public, with a strict
 * Content-Security-Policy; off with `console.enabled: false`), and the two read routes it needs
 * beyond the rest of the API (an account overview, a page of job summaries).
 */
@Module({
  imports: [RepositoryModule, JobLogModule, JobCacheModule, CalendarsModule],
  controllers: [UiController, ConsoleApiController],
  providers: [UiAssets, JobSummaries, OverviewService],
})
export class ConsoleModule {}
