import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ScheduledOccurrenceDto } from '../../schedule/schedule.dto';
import { RunSummaryDto } from './run-summary.dto';

export const MAX_OVERVIEW_HOURS = 48;

export class OverviewQuery {
  @ApiPropertyOptional({
    description: `How many hours ahead \`upcoming\` looks (1-${MAX_OVERVIEW_HOURS})`,
    type: 'integer',
    default: 6,
    minimum: 1,
    maximum: MAX_OVERVIEW_HOURS,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_OVERVIEW_HOURS)
  hours: number = 6;
}

@ApiSchema({ name: 'FailingJob', description: 'An enabled job whose newest run failed' })
export class FailingJobDto {
  @ApiProperty({ description: '`group/id` of the job', example: 'space-xy/6bcfa79f' })
  job: string;

  @ApiProperty({ description: "The job's name", example: 'start-staging-db' })
  name: string;

  @ApiProperty({ description: 'Its newest run record, in short', type: () => RunSummaryDto })
  last_run: RunSummaryDto;
}

@ApiSchema({
  name: 'AccountOverview',
  description: 'An account at a glance: its jobs, what happens next, what failed',
})
export class AccountOverviewDto {
  @ApiProperty({ description: 'The account', example: 'spinup' })
  account: string;

  @ApiProperty({ description: 'Jobs the key sees', type: 'integer', example: 120 })
  jobs: number;

  @ApiProperty({ description: 'Of them, enabled', type: 'integer', example: 100 })
  enabled: number;

  @ApiProperty({ description: 'Of the enabled, paused now', type: 'integer', example: 3 })
  paused: number;

  @ApiProperty({
    description: `The next fire times of the enabled jobs within \`hours\`, soonest first (at most 20)`,
    type: [ScheduledOccurrenceDto],
  })
  upcoming: ScheduledOccurrenceDto[];

  @ApiProperty({
    description: 'Enabled jobs whose newest run failed, most recent first (at most 20)',
    type: [FailingJobDto],
  })
  failing: FailingJobDto[];

  @ApiProperty({
    description: 'How many enabled jobs have a failed newest run (`failing` shows 20 at most)',
    type: 'integer',
    example: 1,
  })
  failing_total: number;

  @ApiProperty({ description: 'How many hours `upcoming` covers', type: 'integer', example: 6 })
  hours: number;
}
