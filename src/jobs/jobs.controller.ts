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
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { actorOf } from '../audit/actor';
import { inKeyGroups } from '../auth/scope';
import { RequiresAccess } from '../auth/requires-access.decorator';
import { ServiceUnavailableError } from '../common/errors';
import {
  ApiErrorResponses,
  ApiTextResponse,
  AUTHENTICATED_ERRORS,
} from '../common/http/api-docs.decorators';
import { RunRecord } from '../domain/run-record';
import { RunRecordDto } from './dto/run-record.dto';
import { LimitQuery } from '../common/http/limit-query';
import { AccountParams, GroupParams, JobParams } from '../common/http/path-params';
import { groupOfEntry } from '../domain/job-key';
import { DryRunResponseDto } from './dto/dry-run-response.dto';
import { JobRequestDto } from './dto/job-request.dto';
import { JobResponseDto, NextFireTimesDto, RunAcceptedDto } from './dto/job-response.dto';
import { filterOf, ListQuery, NextQuery } from './dto/list-query.dto';
import { NEXT_LINK, pageOf, wholeListing, withNextLink } from './list-answers';
import { CREATE_EXAMPLE, RUNNER_EXAMPLES, UPDATE_EXAMPLE } from './jobs.examples';
import { DryRunsService } from './dry-runs.service';
import { JobsService } from './jobs.service';

const TEXT = 'text/plain; charset=utf-8';
const JSON_UTF8 = 'application/json; charset=utf-8';

@ApiTags('jobs')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    private readonly dryRuns: DryRunsService,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'listAccountJobs',
    summary: 'List the jobs of an account as "group/id" strings',
  })
  @ApiOkResponse({
    description: '`group/id` of each job, sorted',
    type: [String],
    example: ['space-xy/6bcfa79f-615e-470d-97c1-687f3357497d'],
    headers: NEXT_LINK,
  })
  async listAccount(
    @Param() { account }: AccountParams,
    @Query() query: ListQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // The whole listing for a key of every group: the cache's encoded answer, as is: the bytes
    // and headers an array answer would get, without serializing and encoding 1,000 entries again.
    // Sent here rather than returned, as Nest would serialize a Buffer as an object.
    if (wholeListing(query) && !req.apiKey?.groups) {
      const json = this.jobs.accountListJson(account);
      if (json !== null) {
        void res.header('Content-Type', JSON_UTF8).send(json);
        return;
      }
    }
    const page = await this.jobs.listAccount(account, pageOf(query), filterOf(query));
    // A key scoped to some groups sees only theirs; the next link still follows the whole
    // listing, so a page may hold fewer entries than `limit` (or none) while more follow.
    const entries = withNextLink(page, query, req, res);
    // A key for every group (the usual case) sees every entry: no pass over 100k of them.
    void res.send(
      req.apiKey?.groups
        ? entries.filter((entry) => inKeyGroups(req.apiKey, groupOfEntry(entry)))
        : entries,
    );
  }

  @Get(':group')
  @ApiOperation({ operationId: 'listGroupJobs', summary: 'List the job ids of a group' })
  @ApiOkResponse({
    description: 'Id of each job, sorted',
    type: [String],
    example: ['6bcfa79f-615e-470d-97c1-687f3357497d'],
    headers: NEXT_LINK,
  })
  async listGroup(
    @Param() { account, group }: GroupParams,
    @Query() query: ListQuery,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string[]> {
    const page = await this.jobs.listGroup(account, group, pageOf(query), filterOf(query));
    return withNextLink(page, query, req, res);
  }

  @Post(':group')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createJob',
    summary: 'Create a job (its id is generated)',
    description:
      'Keys match case-insensitively and unknown keys are ignored, as the original read bodies; ' +
      'the body is read as JSON whatever its Content-Type.',
  })
  @ApiBody({
    type: JobRequestDto,
    examples: { dummy: { value: CREATE_EXAMPLE }, ...RUNNER_EXAMPLES },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Makes the create safe to retry (after a 503, a timeout, a lost answer): the job id is ' +
      'derived from the key (per account and group), and a retry of a create that was stored ' +
      'answers the stored job instead of making a second one; the same key with a different ' +
      'job is a 409. 1 to 200 printable ASCII characters.',
    schema: { type: 'string', maxLength: 200 },
  })
  @ApiOkResponse({ description: 'The stored job', type: JobResponseDto })
  @ApiErrorResponses(409, 413)
  create(
    @Param() { account, group }: GroupParams,
    @Body() body: JobRequestDto,
    @Req() req: Request,
  ): Promise<JobResponseDto> {
    // Read here rather than with @Headers(), which Swagger would document a second time, required.
    const idempotencyKey = req.headers['idempotency-key'];
    return this.jobs.create(
      account,
      group,
      body,
      actorOf(req),
      Array.isArray(idempotencyKey) ? idempotencyKey[0] : idempotencyKey,
    );
  }

  @Get(':group/:id')
  @ApiOperation({ operationId: 'getJob', summary: 'Get a job' })
  @ApiOkResponse({ description: 'The job', type: JobResponseDto })
  get(@Param() params: JobParams): Promise<JobResponseDto> {
    return this.jobs.get(params);
  }

  @Put(':group/:id')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'updateJob',
    summary: 'Replace a job (it must exist); id, account and group come from the path',
    description: 'A GET answer sent back whole (with `log` and `next`) is accepted.',
  })
  @ApiBody({ type: JobRequestDto, examples: { dummy: { value: UPDATE_EXAMPLE } } })
  @ApiAcceptedResponse({ description: 'The stored job', type: JobResponseDto })
  @ApiErrorResponses(409, 413)
  update(
    @Param() params: JobParams,
    @Body() body: JobRequestDto,
    @Req() req: Request,
  ): Promise<JobResponseDto> {
    return this.jobs.update(params, body, actorOf(req));
  }

  @Delete(':group')
  @HttpCode(202)
  @Header('Content-Type', TEXT)
  @ApiOperation({
    operationId: 'deleteGroup',
    summary: 'Delete every job of a group (202 even when the group is empty)',
  })
  @ApiTextResponse(202, 'Deleted: body `OK`', 'OK')
  async deleteGroup(
    @Param() { account, group }: GroupParams,
    @Req() req: Request,
  ): Promise<string> {
    const result = await this.jobs.deleteGroup(account, group, actorOf(req));
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
  @ApiOperation({ operationId: 'deleteJob', summary: 'Delete a job' })
  @ApiTextResponse(202, 'Deleted: body `OK`', 'OK')
  async delete(@Param() params: JobParams, @Req() req: Request): Promise<string> {
    await this.jobs.delete(params, actorOf(req));
    return 'OK';
  }

  @Patch(':group/:id')
  @RequiresAccess('run')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'runJob',
    summary: 'Run a job now (also a disabled one)',
    description: 'Queues a manual occurrence; follow it in `.../runs` by its `run_id`.',
  })
  @ApiAcceptedResponse({ description: 'Queued', type: RunAcceptedDto })
  run(@Param() params: JobParams, @Req() req: Request): Promise<RunAcceptedDto> {
    return this.jobs.run(params, actorOf(req));
  }

  @Post(':group/dry-run')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'dryRunUnsaved',
    summary: 'What a job body would do if it ran now, before creating it',
    description:
      'Validated as a create is; then its runner describes the resource and checks what it can ' +
      '(EC2 with `DryRun`); nothing is stored, run or recorded.',
  })
  @ApiBody({ type: JobRequestDto, examples: RUNNER_EXAMPLES })
  @ApiOkResponse({ description: 'What the run would do', type: DryRunResponseDto })
  @ApiErrorResponses(413, 503)
  dryRunUnsaved(
    @Param() { account, group }: GroupParams,
    @Body() body: JobRequestDto,
  ): Promise<DryRunResponseDto> {
    return this.dryRuns.dryRunUnsaved(account, group, body);
  }

  @Post(':group/:id/dry-run')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'dryRunJob',
    summary: 'What the job would do if it ran now, without running it',
    description:
      'Resolves the account credentials, describes the resource and checks the permissions the ' +
      'service can check without acting (EC2 `DryRun`); nothing is run or recorded.',
  })
  @ApiOkResponse({ description: 'What the run would do', type: DryRunResponseDto })
  @ApiErrorResponses(503)
  dryRun(@Param() params: JobParams): Promise<DryRunResponseDto> {
    return this.dryRuns.dryRun(params);
  }

  @Get(':group/:id/runs')
  @ApiOperation({
    operationId: 'listRuns',
    summary: 'Run history, newest first',
    description:
      'One record per attempt: succeeded, failed (with `will_retry`), skipped, or missed (after downtime).',
  })
  @ApiOkResponse({ description: 'Run records, newest first', type: [RunRecordDto] })
  runs(@Param() params: JobParams, @Query() { limit }: LimitQuery): Promise<RunRecord[]> {
    return this.jobs.runs(params, limit);
  }

  @Get(':group/:id/next')
  @ApiOperation({
    operationId: 'nextFireTimes',
    summary: 'Next fire times, in UTC and in the job time zone, with daylight-saving flags',
  })
  @ApiOkResponse({ description: 'The next fire times', type: NextFireTimesDto })
  next(@Param() params: JobParams, @Query() { count }: NextQuery): Promise<NextFireTimesDto> {
    return this.jobs.upcoming(params, count);
  }
}
