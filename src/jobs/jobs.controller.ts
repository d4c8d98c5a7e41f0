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
} from '@nestjs/common';
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
import { NextQuery, RunsQuery } from './dto/list-query.dto';
import { JobWithLogResponseDto, NextFireTimesDto, RunAcceptedDto } from './dto/job-response.dto';
import { RunRecord } from '../job-log/run-record';
import { JobsService } from './jobs.service';
import { CREATE_EXAMPLE, UPDATE_EXAMPLE } from './jobs.examples';

const TEXT = 'text/plain; charset=utf-8';

@ApiTags('jobs')
@ApiJobErrors()
@Controller(':account/jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  @ApiOperation({ summary: 'List the jobs of an account as "group/id" strings' })
  @ApiOkResponse({ type: [String], example: ['space-xy/6bcfa79f-615e-470d-97c1-687f3357497d'] })
  listAccount(@Param() { account }: AccountParams): Promise<string[]> {
    return this.jobs.listAccount(account);
  }

  @Get(':group')
  @ApiOperation({ summary: 'List the job ids of a group' })
  @ApiOkResponse({ type: [String], example: ['6bcfa79f-615e-470d-97c1-687f3357497d'] })
  listGroup(@Param() { account, group }: GroupParams): Promise<string[]> {
    return this.jobs.listGroup(account, group);
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
