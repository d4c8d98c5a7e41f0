import { RUN_STATUSES, RunStatus } from '../../domain/run-record';
import { JobPauseDto } from './pause.dto';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { TAGS_EXAMPLE, TagDto } from './tag.dto';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** The stored job document, as the original served it (plus `timezone` when set). */
@ApiSchema({ name: 'Job', description: 'A stored job document' })
export class JobDto {
  @ApiProperty({ description: 'Account, from the path', example: 'local' })
  account: string;

  @ApiProperty({ description: 'Free text', example: 'Do some dumb thing to my server' })
  description: string;

  @ApiProperty({
    description: 'Runner parameters, all strings; `runner` names the runner',
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { runner: 'dummyRunner' },
  })
  details: Record<string, string>;

  @ApiProperty({ description: 'Group, from the path', example: 'space-xy' })
  group: string;

  @ApiProperty({
    description: 'Job id, assigned at creation',
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  id: string;

  @ApiProperty({
    description:
      'Last write, RFC 3339 UTC, set by the server; "" in documents the original wrote without it',
    example: '2020-02-27T16:22:09Z',
  })
  modified_at: string;

  @ApiProperty({ description: 'Who made the last change, as the client said', example: 'someone' })
  modified_by: string;

  @ApiProperty({ description: 'Short name', example: 'dummy-spin1234567' })
  name: string;

  @ApiProperty({ description: 'When to run (see the create body)', example: '* * * ? *' })
  schedule_expression: string;

  @ApiProperty({ description: 'Disabled jobs are stored but never scheduled', example: true })
  enabled: boolean;

  @ApiPropertyOptional({
    description: 'IANA time zone of the expression; absent means UTC',
    example: 'Europe/Berlin',
  })
  timezone?: string;

  @ApiPropertyOptional({
    description: 'Blackout calendars of the account that block this job (absent when none)',
    type: [String],
    example: ['holidays'],
  })
  blackout_calendars?: string[];

  @ApiPropertyOptional({
    description: 'While the schedule is paused: until when, why, by whom (absent otherwise)',
    type: () => JobPauseDto,
  })
  pause?: JobPauseDto;
}

@ApiSchema({ name: 'LastRun', description: "The newest record of a job's run log" })
export class LastRunDto {
  @ApiProperty({
    description: 'Outcome of the newest record',
    enum: RUN_STATUSES,
    example: 'succeeded',
  })
  status: RunStatus;

  @ApiProperty({
    ...DATE_TIME,
    description: 'When it finished',
    example: '2026-11-24T15:00:00.118Z',
  })
  finished_at: string;

  @ApiProperty({
    description: 'Its occurrence id',
    example: 'local/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@2026-11-24T15:00:00Z',
  })
  run_id: string;
}

@ApiSchema({ name: 'RunLogInfo', description: "Where a job's run log is and what it holds" })
export class RunLogInfoDto {
  @ApiProperty({
    description:
      'Run log implementation: `file` is the embedded default (a SQLite file under the data dir), `cloudwatch` CloudWatch Logs',
    enum: ['file', 'cloudwatch'],
    example: 'cloudwatch',
  })
  type: 'file' | 'cloudwatch';

  @ApiProperty({
    description:
      'Path of the embedded database, or CloudWatch log group `<org>-<group>` (the original `log.name`)',
    example: 'acme-space-xy',
  })
  name: string;

  @ApiPropertyOptional({
    description: 'CloudWatch log stream (the job id)',
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  stream?: string;

  @ApiPropertyOptional({
    ...DATE_TIME,
    description: 'CloudWatch: when the log group was created',
    example: '2020-02-27T16:22:09Z',
    nullable: true,
  })
  created_at?: string | null;

  @ApiPropertyOptional({
    description: 'CloudWatch: retention in days',
    type: 'integer',
    example: 90,
    nullable: true,
  })
  retention?: number | null;

  @ApiProperty({
    description: "Size of the job's records in bytes (CloudWatch: of the whole log group)",
    type: 'integer',
    example: 12800,
  })
  bytes: number;

  @ApiProperty({
    description: 'Run records kept (null for CloudWatch, which does not count them)',
    type: 'integer',
    example: 42,
    nullable: true,
  })
  runs: number | null;

  @ApiProperty({ description: 'The newest record', type: LastRunDto, nullable: true })
  last_run: LastRunDto | null;
}

/** `{"job", "tags", "log", "next"}`: what create, get and update answer. */
@ApiSchema({ name: 'JobResponse', description: 'A job with its tags, run log and next fire time' })
export class JobResponseDto {
  @ApiProperty({ description: 'The job document', type: JobDto })
  job: JobDto;

  @ApiProperty({ description: "The job's tags", type: [TagDto], example: TAGS_EXAMPLE })
  tags: TagDto[];

  @ApiProperty({
    description: "The job's run log; null until the job has one (file run log: its first run)",
    type: RunLogInfoDto,
    nullable: true,
  })
  log: RunLogInfoDto | null;

  @ApiProperty({
    ...DATE_TIME,
    description:
      'Next fire time after now (RFC 3339, UTC, whole seconds), for disabled jobs too, as the ' +
      'original did; null when the stored expression cannot be used',
    example: '2020-02-27T16:23:00Z',
    nullable: true,
  })
  next: string | null;
}

@ApiSchema({ name: 'RunAccepted', description: 'A manual run, queued' })
export class RunAcceptedDto {
  @ApiProperty({
    description: 'Occurrence id of the manual run; its attempts appear under this id in `.../runs`',
    example:
      'local/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@manual-0f8fad5b-d9cb-469f-a165-70867728950e',
  })
  run_id: string;
}

@ApiSchema({ name: 'FireTime', description: "A fire time in UTC and in the job's zone" })
export class FireTimeDto {
  @ApiProperty({
    ...DATE_TIME,
    description: 'The fire time in UTC',
    example: '2026-03-08T07:30:00Z',
  })
  utc: string;

  @ApiProperty({
    ...DATE_TIME,
    description: "Wall-clock time in the job's zone, with its offset",
    example: '2026-03-08T03:30:00-04:00',
  })
  local: string;

  @ApiProperty({
    description:
      '`gap`: the wall time asked for does not exist that day (clocks go forward), so it runs later; ' +
      '`overlap`: the wall time happens twice that day (clocks go back); null: neither',
    // OpenAPI 3.0: a nullable enum lists null among its values.
    enum: ['gap', 'overlap', null],
    nullable: true,
    example: 'gap',
  })
  dst: 'gap' | 'overlap' | null;

  @ApiPropertyOptional({
    description: 'What the flag means for this fire time',
    example:
      '02:30 does not exist on this day (clocks go forward); minion runs at 03:30 local instead',
  })
  note?: string;

  @ApiPropertyOptional({
    description: 'Set when a pause of the job covers this time: the occurrence will be skipped',
    example: true,
  })
  paused?: boolean;

  @ApiPropertyOptional({
    description: 'The blackout calendar that blocks this time: the occurrence will be skipped',
    example: 'holidays',
  })
  blackout?: string;
}

@ApiSchema({ name: 'NextFireTimes', description: 'The next fire times of a job' })
export class NextFireTimesDto {
  @ApiProperty({
    description: 'Time zone the expression is evaluated in',
    example: 'America/New_York',
  })
  timezone: string;

  @ApiProperty({ description: 'The stored expression', example: '30 2 * * *' })
  schedule_expression: string;

  @ApiProperty({ description: 'Disabled jobs are listed too, but do not run', example: true })
  enabled: boolean;

  @ApiProperty({ description: 'The next fire times, soonest first', type: [FireTimeDto] })
  next: FireTimeDto[];
}
