import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { inKeyGroups } from '../auth/scope';
import { ApiErrorResponses, AUTHENTICATED_ERRORS } from '../common/http/api-docs.decorators';
import { parseDuration } from '../common/duration';
import { AccountParams } from '../common/http/path-params';
import { ScheduledOccurrenceDto, ScheduleQuery } from './schedule.dto';
import { ScheduleService } from './schedule.service';

@ApiTags('schedule')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account/schedule')
export class ScheduleController {
  constructor(private readonly schedule: ScheduleService) {}

  @Get()
  @ApiOperation({
    operationId: 'accountSchedule',
    summary:
      'Every fire time of every enabled job in a window, with pauses, blackouts and conflicts',
    description:
      'In time order. `paused` and `blackout` mark occurrences that will be skipped; `conflicts` lists the occurrences of other jobs acting differently on the same resource (instance, database, service, Auto Scaling group) within `within`.',
  })
  @ApiOkResponse({ description: 'The occurrences in the window', type: [ScheduledOccurrenceDto] })
  async get(
    @Param() { account }: AccountParams,
    @Query() query: ScheduleQuery,
    @Req() req: Request,
  ): Promise<ScheduledOccurrenceDto[]> {
    return this.schedule.occurrences(
      account,
      {
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        withinMs: parseDuration(query.within ?? '5m') ?? 300_000,
      },
      (group) => inKeyGroups(req.apiKey, group),
    );
  }
}
