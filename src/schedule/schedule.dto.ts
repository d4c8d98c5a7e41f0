import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, IsRFC3339 } from 'class-validator';
import { IsDuration } from '../common/validators/is-duration.validator';

export class ScheduleQuery {
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'Start of the window (RFC 3339); default now',
    example: '2026-12-07T00:00:00Z',
  })
  @IsOptional()
  @IsRFC3339({ message: '$property must be an RFC 3339 date-time such as 2026-12-07T00:00:00Z' })
  from?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description:
      'End of the window (exclusive); default 7 days after `from`, at most 31 days after it',
    example: '2026-12-14T00:00:00Z',
  })
  @IsOptional()
  @IsRFC3339({ message: '$property must be an RFC 3339 date-time such as 2026-12-14T00:00:00Z' })
  to?: string;

  @ApiPropertyOptional({
    description:
      'Two jobs acting differently on one resource this close together conflict (Go duration, default "5m")',
    example: '15m',
  })
  @IsOptional()
  @IsDuration()
  within?: string;
}

@ApiSchema({ name: 'ScheduledOccurrence', description: 'One fire time of one job in the window' })
export class ScheduledOccurrenceDto {
  @ApiProperty({
    type: 'string',
    format: 'date-time',
    description: 'When (UTC)',
    example: '2026-12-07T17:00:00Z',
  })
  at: string;

  @ApiProperty({
    description: '`group/id` of the job',
    example: 'space-xy/6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  job: string;

  @ApiProperty({ description: "The job's name", example: 'stop-dev-instance' })
  name: string;

  @ApiProperty({ description: '`details.runner`', example: 'instanceRunner' })
  runner: string;

  @ApiPropertyOptional({
    description: 'The resource it acts on, when it has one',
    example: 'instance:i-aaaabbbb11112222',
  })
  resource?: string;

  @ApiPropertyOptional({ description: 'What it does to it', example: 'stop' })
  action?: string;

  @ApiPropertyOptional({
    description:
      'A sequence: its steps (`group/id`), in order; its conflicts are those of what its steps act on',
    type: [String],
    example: ['stack/6bcfa79f-615e-470d-97c1-687f3357497d'],
  })
  steps?: string[];

  @ApiPropertyOptional({
    description: 'A pause covers this time: it will be skipped',
    example: true,
  })
  paused?: boolean;

  @ApiPropertyOptional({
    description: 'The blackout calendar that blocks this time: it will be skipped',
    example: 'holidays',
  })
  blackout?: string;

  @ApiPropertyOptional({
    description:
      'Occurrences of other jobs acting differently on the same resource within `within`: `group/id@time`',
    type: [String],
    example: ['nightly/0b6d6f52-7d3c-4c2a-9e4d-1a2b3c4d5e6f@2026-12-07T16:59:00Z'],
  })
  conflicts?: string[];
}
