import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { actorOf } from '../audit/actor';
import { RequiresAccess } from '../auth/requires-access.decorator';
import { ApiErrorResponses, AUTHENTICATED_ERRORS } from '../common/http/api-docs.decorators';
import { GroupParams, JobParams } from '../common/http/path-params';
import { JobResponseDto } from './dto/job-response.dto';
import { GroupPauseResultDto, PauseRequestDto } from './dto/pause.dto';
import { PausesService } from './pauses.service';

const PAUSE_EXAMPLE = {
  until: '2026-12-07T08:00:00+01:00',
  reason: 'database migration, back on Monday',
};

/**
 * Pauses that expire: `POST .../pause` and `.../resume`, for a job or a whole group. They need
 * `run` access (an operator's switch, not a change of the job's definition).
 */
@ApiTags('jobs')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account/jobs')
export class PausesController {
  constructor(private readonly pauses: PausesService) {}

  @Post(':group/:id/pause')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseJob',
    summary: 'Pause the schedule until a time (or until resumed)',
    description:
      'Occurrences while paused are recorded as `skipped` with `paused (<reason>)`; at `until` the job runs again by itself. `enabled` is left as it was; manual runs still run. Pausing a paused job replaces its pause.',
  })
  @ApiBody({ type: PauseRequestDto, examples: { monday: { value: PAUSE_EXAMPLE } } })
  @ApiOkResponse({ description: 'The job, with its pause', type: JobResponseDto })
  pause(
    @Param() params: JobParams,
    @Body() body: PauseRequestDto,
    @Req() req: Request,
  ): Promise<JobResponseDto> {
    return this.pauses.pause(params, body, actorOf(req));
  }

  @Post(':group/:id/resume')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resumeJob', summary: 'End a pause now' })
  @ApiOkResponse({ description: 'The job, without a pause', type: JobResponseDto })
  resume(@Param() params: JobParams, @Req() req: Request): Promise<JobResponseDto> {
    return this.pauses.resume(params, actorOf(req));
  }

  @Post(':group/pause')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseGroup',
    summary: 'Pause every job of the group',
    description: 'Each job now in the group gets the pause; jobs created later do not.',
  })
  @ApiBody({ type: PauseRequestDto, examples: { monday: { value: PAUSE_EXAMPLE } } })
  @ApiOkResponse({ description: 'The jobs paused', type: GroupPauseResultDto })
  async pauseGroup(
    @Param() { account, group }: GroupParams,
    @Body() body: PauseRequestDto,
    @Req() req: Request,
  ): Promise<GroupPauseResultDto> {
    return { changed: await this.pauses.pauseGroup(account, group, body, actorOf(req)) };
  }

  @Post(':group/resume')
  @RequiresAccess('run')
  @HttpCode(200)
  @ApiOperation({ operationId: 'resumeGroup', summary: 'End the pause of every job of the group' })
  @ApiOkResponse({ description: 'The jobs that were paused', type: GroupPauseResultDto })
  async resumeGroup(
    @Param() { account, group }: GroupParams,
    @Req() req: Request,
  ): Promise<GroupPauseResultDto> {
    return { changed: await this.pauses.resumeGroup(account, group, actorOf(req)) };
  }
}
