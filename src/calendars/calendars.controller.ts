import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest as Request } from 'fastify';
import { actorOf } from '../audit/actor';
import { ApiErrorResponses, AUTHENTICATED_ERRORS } from '../common/http/api-docs.decorators';
import { IsSafeSegment } from '../common/validators/is-safe-segment.validator';
import { AccountParams } from '../common/http/path-params';
import { CalendarDto, StoredCalendarDto } from './calendar.dto';
import { CalendarsService } from './calendars.service';

class CalendarParams extends AccountParams {
  @ApiProperty({ description: 'Calendar name', example: 'holidays' })
  @IsSafeSegment()
  name: string;
}

const EXAMPLE = {
  timezone: 'Europe/Berlin',
  dates: ['2026-12-24..2026-12-26', '2026-12-31', '2027-01-01'],
  description: 'Public holidays and the year-end change freeze',
};

/** Blackout calendars of an account: days on which the jobs listing them do not run. */
@ApiTags('calendars')
@ApiErrorResponses(...AUTHENTICATED_ERRORS)
@Controller(':account/calendars')
export class CalendarsController {
  constructor(private readonly calendars: CalendarsService) {}

  @Get()
  @ApiOperation({
    operationId: 'listCalendars',
    summary:
      "Every blackout calendar of the account (the configuration's and those set over the API)",
  })
  @ApiOkResponse({ description: 'The calendars, by name', type: [StoredCalendarDto] })
  list(@Param() { account }: AccountParams): Promise<StoredCalendarDto[]> {
    return this.calendars.list(account);
  }

  @Get(':name')
  @ApiOperation({ operationId: 'getCalendar', summary: 'A blackout calendar' })
  @ApiOkResponse({ description: 'The calendar', type: StoredCalendarDto })
  async get(@Param() { account, name }: CalendarParams): Promise<StoredCalendarDto> {
    return this.calendars.get(account, name);
  }

  @Put(':name')
  @ApiOperation({
    operationId: 'putCalendar',
    summary: 'Create or replace a blackout calendar',
    description:
      'Jobs list it in `blackout_calendars`; their occurrences on its days are recorded as `skipped: blackout <name>`. A calendar of the configuration cannot be replaced (409).',
  })
  @ApiBody({ type: CalendarDto, examples: { holidays: { value: EXAMPLE } } })
  @ApiOkResponse({ description: 'The stored calendar', type: StoredCalendarDto })
  @ApiErrorResponses(409)
  async put(
    @Param() { account, name }: CalendarParams,
    @Body() body: CalendarDto,
    @Req() req: Request,
  ): Promise<StoredCalendarDto> {
    await this.calendars.put(account, name, body, actorOf(req));
    return this.calendars.get(account, name);
  }
}
