import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ListQuery } from '../../jobs/dto/list-query.dto';
import { JobPauseDto } from '../../jobs/dto/pause.dto';
import { TAGS_EXAMPLE, TagDto } from '../../jobs/dto/tag.dto';
import { RunSummaryDto } from './run-summary.dto';

export const SUMMARY_PAGE_DEFAULT = 50;
export const SUMMARY_PAGE_MAX = 500;

/** The list routes' paging and filters, a smaller page, and two filters a person searches by. */
export class JobSummaryQuery extends ListQuery {
  @ApiPropertyOptional({
    description: `Page size (1-${SUMMARY_PAGE_MAX}, default ${SUMMARY_PAGE_DEFAULT})`,
    type: 'integer',
    minimum: 1,
    maximum: SUMMARY_PAGE_MAX,
    example: 50,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(SUMMARY_PAGE_MAX)
  override limit?: number = undefined;

  @ApiPropertyOptional({
    description: 'Only jobs whose schedule is paused now (`true`) or not (`false`)',
    enum: ['true', 'false'],
    example: 'true',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be true or false' })
  paused?: 'true' | 'false';

  @ApiPropertyOptional({
    description: 'Only jobs whose `name` contains this, in any case',
    example: 'staging',
    maxLength: 256,
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  search?: string;
}

@ApiSchema({
  name: 'JobSummary',
  description: 'A job as a list row shows it: what it is, when it fires next, how it last ran',
})
export class JobSummaryDto {
  @ApiProperty({ description: 'Its group', example: 'space-xy' })
  group: string;

  @ApiProperty({ description: 'Its id', example: '6bcfa79f-615e-470d-97c1-687f3357497d' })
  id: string;

  @ApiProperty({ description: 'Its name', example: 'stop-staging-db' })
  name: string;

  @ApiProperty({ description: 'Free text', example: 'Stops the staging database at night' })
  description: string;

  @ApiProperty({ description: 'Whether the schedule fires it', example: true })
  enabled: boolean;

  @ApiProperty({ description: '`details.runner`', example: 'databaseRunner' })
  runner: string;

  @ApiProperty({ description: 'The cron expression', example: '0 19 * * MON-FRI' })
  schedule_expression: string;

  @ApiProperty({ description: 'The time zone it is read in', example: 'Europe/Berlin' })
  timezone: string;

  @ApiProperty({ description: 'Its tags', type: [TagDto], example: TAGS_EXAMPLE })
  tags: TagDto[];

  @ApiPropertyOptional({
    description: 'The pause in force, if any',
    type: () => JobPauseDto,
  })
  pause?: JobPauseDto;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description:
      'The next fire time of its schedule (also for a disabled or paused job, as `next` of a job); absent when it never fires again',
    example: '2026-12-07T18:00:00Z',
  })
  next?: string;

  @ApiPropertyOptional({
    description: 'Its newest run record, in short; absent before its first run',
    type: () => RunSummaryDto,
  })
  last_run?: RunSummaryDto;
}

@ApiSchema({ name: 'JobSummaryPage', description: 'One page of job summaries' })
export class JobSummaryPageDto {
  @ApiProperty({ description: 'The jobs of the page, in listing order', type: [JobSummaryDto] })
  jobs: JobSummaryDto[];

  @ApiPropertyOptional({
    description: 'Pass as `start_after` for the next page; absent on the last page',
    example: 'space-xy/6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  next_start_after?: string;
}
