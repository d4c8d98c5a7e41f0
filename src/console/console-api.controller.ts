import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { inKeyGroups } from '../auth/scope';
import { ApiErrorResponses, AUTHENTICATED_ERRORS } from '../common/http/api-docs.decorators';
import { AccountParams } from '../common/http/path-params';
import { JobSummaryPageDto, JobSummaryQuery } from './dto/job-summary.dto';
import { AccountOverviewDto, OverviewQuery } from './dto/overview.dto';
import { JobSummaries } from './job-summaries.service';
import { OverviewService } from './overview.service';

/**
 * What a console (or any client showing many jobs) needs in one request each: an account at a
 * glance, and a page of jobs as list rows. A group-scoped key sees its groups only.
 */
@ApiTags('console')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account')
export class ConsoleApiController {
  constructor(
    private readonly overviews: OverviewService,
    private readonly summaries: JobSummaries,
  ) {}

  @Get('overview')
  @ApiOperation({
    operationId: 'accountOverview',
    summary: 'An account at a glance: job counts, the next fire times, jobs whose last run failed',
  })
  @ApiOkResponse({ description: 'The account at a glance', type: AccountOverviewDto })
  overview(
    @Param() { account }: AccountParams,
    @Query() { hours }: OverviewQuery,
    @Req() req: Request,
  ): Promise<AccountOverviewDto> {
    return this.overviews.overview(account, hours, (g) => inKeyGroups(req.apiKey, g));
  }

  @Get('job-summaries')
  @ApiOperation({
    operationId: 'listJobSummaries',
    summary: 'One page of jobs as list rows: each with its next fire time and its newest run',
    description:
      'Filters as the list routes (`enabled`, `runner`, `tag`, `name` prefix), plus `paused` and `search` (in the name, any case). Unfiltered, only the jobs of the page are read; filtered, the listing is walked until the page is full.',
  })
  @ApiOkResponse({ description: 'The page', type: JobSummaryPageDto })
  jobSummaries(
    @Param() { account }: AccountParams,
    @Query() query: JobSummaryQuery,
    @Req() req: Request,
  ): Promise<JobSummaryPageDto> {
    return this.summaries.page(
      account,
      query,
      (g) => inKeyGroups(req.apiKey, g),
      !req.apiKey?.groups,
    );
  }
}
