import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ServiceUnavailableError } from '../common/errors';
import { ApiJobErrors } from '../common/http/api-errors.decorator';
import { ErrorResponseDto } from '../common/http/error-response.dto';
import { AccountParams, GroupParams, JobParams } from './dto/job-path.params';
import { JobRequestDto } from './dto/job-request.dto';
import { ListQuery, NextQuery, RunsQuery } from './dto/list-query.dto';
import { JobWithLogResponseDto, NextFireTimesDto, RunAcceptedDto } from './dto/job-response.dto';
import { RunRecord } from '../job-log/run-record';
import { JobsService, Page } from './jobs.service';
import { CREATE_EXAMPLE, UPDATE_EXAMPLE } from './jobs.examples';

const TEXT = 'text/plain; charset=utf-8';

function pageOf(query: ListQuery) {
  return { limit: query.limit, startAfter: query.start_after };
}

/** The body stays the original's bare array; the next page is announced in `Link` (RFC 8288). */
function withNextLink(page: Page, query: ListQuery, req: Request, res: Response): string[] {
  if (page.more && query.limit !== undefined) {
    const last = page.items[page.items.length - 1];
    const next = `${req.path}?limit=${query.limit}&start_after=${encodeURIComponent(last)}`;
    res.setHeader('Link', `<${next}>; rel="next"`);
  }
  return page.items;
}

@ApiTags('jobs')
@ApiJobErrors()
@Controller(':account/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List the jobs of an account as "group/id" strings' })
  @ApiOkResponse({ type: [String], example: ['space-xy/6bcfa79f-615e-470d-97c1-687f3357497d'] })
  async listAccount(
    @Param() { account }: AccountParams,
    @Query() query: ListQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string[]> {
    const page = await this.jobs.listAccount(account, pageOf(query));
    return withNextLink(page, query, req, res);
  }

  @Get(':group')
  @ApiOperation({ summary: 'List the job ids of a group' })
  @ApiOkResponse({ type: [String], example: ['6bcfa79f-615e-470d-97c1-687f3357497d'] })
  async listGroup(
    @Param() { account, group }: GroupParams,
    @Query() query: ListQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string[]> {
    const page = await this.jobs.listGroup(account, group, pageOf(query));
    return withNextLink(page, query, req, res);
  }

  @Post(':group')
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a job (its id is generated)' })
  @ApiBody({ type: JobRequestDto, examples: { dummy: { value: CREATE_EXAMPLE } } })
  @ApiOkResponse({ type: JobWithLogResponseDto })
  @ApiJobErrors({ body: true })
  create(
    @Param() { account, group }: GroupParams,
    @Body() body: JobRequestDto,
  ): Promise<JobWithLogResponseDto> {
    return this.jobs.create(account, group, body);
  }

  @Get(':group/:id')
  @ApiOperation({ summary: 'Get a job' })
  @ApiOkResponse({ type: JobWithLogResponseDto })
  get(@Param() params: JobParams): Promise<JobWithLogResponseDto> {
    return this.jobs.get(params);
  }

  @Put(':group/:id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Replace a job (it must exist); id, account and group come from the path',
  })
  @ApiBody({ type: JobRequestDto, examples: { dummy: { value: UPDATE_EXAMPLE } } })
  @ApiAcceptedResponse({ type: JobWithLogResponseDto })
  @ApiConflictResponse({
    description: 'Modified concurrently; read and retry',
    type: ErrorResponseDto,
  })
  @ApiJobErrors({ body: true })
  update(@Param() params: JobParams, @Body() body: JobRequestDto): Promise<JobWithLogResponseDto> {
    return this.jobs.update(params, body);
  }

  @Delete(':group')
  @HttpCode(202)
  @Header('Content-Type', TEXT)
  @ApiOperation({ summary: 'Delete every job of a group (202 even when the group is empty)' })
  @ApiAcceptedResponse({ description: 'Body `OK`', schema: { type: 'string', example: 'OK' } })
  @ApiServiceUnavailableResponse({
    description: 'Some jobs could not be deleted',
    type: ErrorResponseDto,
  })
  async deleteGroup(@Param() { account, group }: GroupParams): Promise<string> {
    const result = await this.jobs.deleteGroup(account, group);
    if (result.failed.length > 0) {
      const sample = result.failed.slice(0, 20).map((f) => `${f.id} (${f.reason})`);
      throw new ServiceUnavailableError(
        `deleted ${result.deleted.length} jobs; ${result.failed.length} could not be deleted: ${sample.join(', ')}`,
      );
    }
    return 'OK';
  }

  @Delete(':group/:id')
  @HttpCode(202)
  @Header('Content-Type', TEXT)
  @ApiOperation({ summary: 'Delete a job' })
  @ApiAcceptedResponse({ description: 'Body `OK`', schema: { type: 'string', example: 'OK' } })
  async delete(@Param() params: JobParams): Promise<string> {
    await this.jobs.delete(params);
    return 'OK';
  }

  @Patch(':group/:id')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Run a job now (also a disabled one)',
    description: 'Queues a manual occurrence; follow it in `.../runs` by its `run_id`.',
  })
  @ApiAcceptedResponse({ type: RunAcceptedDto })
  @ApiServiceUnavailableResponse({
    description: 'The queue is unavailable or minion is shutting down',
    type: ErrorResponseDto,
  })
  run(@Param() params: JobParams): Promise<RunAcceptedDto> {
    return this.jobs.run(params);
  }

  @Get(':group/:id/runs')
  @ApiOperation({
    summary: 'Run history, newest first',
    description:
      'One record per attempt: succeeded, failed (with `will_retry`), skipped, or missed (after downtime).',
  })
  @ApiOkResponse({ type: [RunRecord] })
  runs(@Param() params: JobParams, @Query() { limit }: RunsQuery): Promise<RunRecord[]> {
    return this.jobs.runs(params, limit);
  }

  @Get(':group/:id/next')
  @ApiOperation({
    summary: 'Next fire times, in UTC and in the job time zone, with daylight-saving flags',
  })
  @ApiOkResponse({ type: NextFireTimesDto })
  next(@Param() params: JobParams, @Query() { count }: NextQuery): Promise<NextFireTimesDto> {
    return this.jobs.upcoming(params, count);
  }
}
