import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TAGS_EXAMPLE, TagDto } from './tag.dto';

export class JobDto {
  @ApiProperty({ example: 'local' })
  account: string;

  @ApiProperty({ example: 'Do some dumb thing to my server' })
  description: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { runner: 'dummyRunner' },
  })
  details: Record<string, string>;

  @ApiProperty({ example: 'space-xy' })
  group: string;

  @ApiProperty({ example: '6bcfa79f-615e-470d-97c1-687f3357497d' })
  id: string;

  @ApiProperty({ description: 'RFC 3339, UTC, set by the server', example: '2020-02-27T16:22:09Z' })
  modified_at: string;

  @ApiProperty({ example: 'someone' })
  modified_by: string;

  @ApiProperty({ example: 'dummy-spin1234567' })
  name: string;

  @ApiProperty({ example: '* * * ? *' })
  schedule_expression: string;

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiPropertyOptional({
    description: 'Present when the job has a time zone',
    example: 'Europe/Berlin',
  })
  timezone?: string;
}

export class JobResponseDto {
  @ApiProperty({ type: JobDto })
  job: JobDto;

  @ApiProperty({ type: [TagDto], example: TAGS_EXAMPLE })
  tags: TagDto[];

  @ApiProperty({
    description:
      'Next fire time of the schedule expression after now (RFC 3339, UTC, whole seconds), ' +
      'computed whether or not the job is enabled, as the original did',
    example: '2020-02-27T16:23:00Z',
    nullable: true,
  })
  next: string | null;
}

export class RunLogInfoDto {
  @ApiProperty({ description: 'Run log implementation: file or cloudwatch', example: 'cloudwatch' })
  type: string;

  @ApiProperty({
    description: 'File path, or CloudWatch log group `<org>-<group>` (the original `log.name`)',
    example: 'acme-space-xy',
  })
  name: string;

  @ApiPropertyOptional({
    description: 'CloudWatch log stream (the job id)',
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  stream?: string;

  @ApiPropertyOptional({
    description: 'CloudWatch: when the log group was created',
    example: '2020-02-27T16:22:09Z',
    nullable: true,
  })
  created_at?: string | null;

  @ApiPropertyOptional({
    description: 'CloudWatch: retention in days',
    example: 90,
    nullable: true,
  })
  retention?: number | null;

  @ApiProperty({
    description: 'Size of the log in bytes (CloudWatch: of the whole log group)',
    example: 12800,
  })
  bytes: number;

  @ApiProperty({
    description: 'Run records kept (null for CloudWatch, which does not count them)',
    example: 42,
    nullable: true,
  })
  runs: number | null;

  @ApiProperty({
    description: 'The newest record',
    nullable: true,
    example: {
      status: 'succeeded',
      finished_at: '2026-11-24T15:00:00.118Z',
      run_id: 'local/space-xy/6bcfa79f@2026-11-24T15:00:00Z',
    },
  })
  last_run: { status: string; finished_at: string; run_id: string } | null;
}

export class JobWithLogResponseDto extends JobResponseDto {
  @ApiProperty({
    description: "The job's run log; null when the job has no log yet",
    type: RunLogInfoDto,
    nullable: true,
  })
  log: RunLogInfoDto | null;
}

export class RunAcceptedDto {
  @ApiProperty({
    description: 'Occurrence id of the manual run; its attempts appear under this id in `.../runs`',
    example:
      'local/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@manual-0f8fad5b-d9cb-469f-a165-70867728950e',
  })
  run_id: string;
}

export class FireTimeDto {
  @ApiProperty({ example: '2026-03-08T07:30:00Z' })
  utc: string;

  @ApiProperty({
    description: "Wall-clock time in the job's zone, with offset",
    example: '2026-03-08T03:30:00-04:00',
  })
  local: string;

  @ApiProperty({
    description:
      '`gap`: the wall time asked for does not exist that day (clocks go forward), so it runs later; ' +
      '`overlap`: the wall time happens twice that day (clocks go back)',
    enum: ['gap', 'overlap'],
    nullable: true,
    example: 'gap',
  })
  dst: 'gap' | 'overlap' | null;

  @ApiPropertyOptional({
    example:
      '02:30 does not exist on this day (clocks go forward); minion runs at 03:30 local instead',
  })
  note?: string;
}

export class NextFireTimesDto {
  @ApiProperty({ example: 'America/New_York' })
  timezone: string;

  @ApiProperty({ example: '30 2 * * *' })
  schedule_expression: string;

  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiProperty({ type: [FireTimeDto] })
  next: FireTimeDto[];
}
