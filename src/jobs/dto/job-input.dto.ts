import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
} from 'class-validator';
import { IsSafeSegment } from '../../common/validators/is-safe-segment.validator';
import { IsCronExpression, IsTimeZone } from '../../common/validators/is-cron-expression.validator';
import { IsStringMap } from '../../common/validators/is-string-map.validator';

export const DETAILS_LIMITS = {
  maxEntries: 50,
  keyPattern: /^[A-Za-z0-9_.-]{1,128}$/,
  maxValueLength: 4096,
};

/**
 * The `job` object of a create/update request: the original's job document. `account`,
 * `group` and `id` come from the path and `modified_at` from the server; values sent for them
 * are accepted (existing clients send them) and ignored.
 */
@ApiSchema({
  name: 'JobInput',
  description: "The `job` of a create or update body: the original's job document",
})
export class JobInputDto {
  @ApiProperty({
    description: 'Short name of the job',
    example: 'dummy-spin1234567',
    maxLength: 256,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  name: string;

  @ApiPropertyOptional({
    description: 'Free text',
    example: 'Do some dumb thing to my server',
    maxLength: 4096,
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  description?: string;

  @ApiProperty({
    description:
      'Runner parameters; every value is a string. `runner` names a runner configured for the account; ' +
      'the other keys depend on the runner type (docs/api.md, "Runners: what details holds").',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { runner: 'dummyRunner' },
  })
  @IsStringMap(DETAILS_LIMITS)
  details: Record<string, string>;

  @ApiProperty({
    description:
      'When to run: 5-field cron (minute hour day-of-month month day-of-week; `?` allowed in the day ' +
      'fields) or @yearly @annually @monthly @weekly @daily @midnight @hourly. Evaluated in `timezone` (default UTC).',
    example: '* * * ? *',
  })
  @IsCronExpression()
  schedule_expression: string;

  @ApiPropertyOptional({
    description:
      'IANA time zone the expression is evaluated in (default UTC). Daylight-saving changes follow ' +
      'cron-parser: a time skipped by the clocks runs at the equivalent later time, a repeated time runs once.',
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @IsTimeZone()
  timezone?: string;

  @ApiPropertyOptional({
    description:
      "Names of the account's blackout calendars (GET/PUT .../calendars/{name}): an occurrence on one of their days is recorded as `skipped: blackout <name>` instead of run",
    type: [String],
    example: ['holidays'],
    maxItems: 20,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsSafeSegment({ each: true })
  blackout_calendars?: string[];

  @ApiProperty({ description: 'Disabled jobs are stored but never scheduled', example: true })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({ description: 'Who made the change', example: 'someone', maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  modified_by?: string;

  @ApiPropertyOptional({
    description: 'Ignored: the group comes from the path',
    example: 'space-xy',
  })
  @IsOptional()
  @IsString()
  group?: string;

  @ApiPropertyOptional({ description: 'Ignored: the account comes from the path' })
  @IsOptional()
  @IsString()
  account?: string;

  @ApiPropertyOptional({
    description: 'Ignored: assigned at creation, taken from the path on update',
  })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiPropertyOptional({ description: 'Ignored: set by the server on every write' })
  @IsOptional()
  @IsString()
  modified_at?: string;
}
