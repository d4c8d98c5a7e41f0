import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { RUN_STATUSES, RunRecord, RunStatus } from '../../domain/run-record';
import { RunTrigger } from '../../domain/occurrence';
import { FleetSummaryDto, ResourceOutcomeDto } from './fleet.dto';
import { RunOutcomeDto } from './run-outcome.dto';
import { SequenceLinkDto, StepOutcomeDto } from './sequence-record.dto';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** `RunRecord` as the OpenAPI document describes it (`GET .../runs`). */
@ApiSchema({
  name: 'RunRecord',
  description: 'One attempt of one occurrence, as the run log keeps it',
})
export class RunRecordDto implements RunRecord {
  @ApiProperty({
    description: 'Occurrence id: `<account>/<group>/<id>@<minute>` or `...@manual-<uuid>`',
    example: 'local/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@2026-11-24T15:00:00Z',
  })
  run_id: string;

  @ApiProperty({
    description: 'What started it: the schedule, or a manual run (PATCH)',
    enum: ['schedule', 'manual'],
    example: 'schedule',
  })
  trigger: RunTrigger;

  @ApiProperty({
    ...DATE_TIME,
    description:
      'The minute the occurrence was scheduled for (RFC 3339, UTC); null for manual runs',
    example: '2026-11-24T15:00:00Z',
    nullable: true,
  })
  scheduled_for: string | null;

  @ApiProperty({
    description: 'Attempt number, from 1 (0 for a missed record)',
    type: 'integer',
    example: 1,
  })
  attempt: number;

  @ApiProperty({
    description:
      'Outcome of the attempt. `interrupted`: minion shut down while the attempt acted or waited (a deploy); never alerted, and settled by another attempt (another replica, or this one after its restart), which describes the resource first and records what it reached',
    enum: RUN_STATUSES,
    example: 'succeeded',
  })
  status: RunStatus;

  @ApiProperty({
    ...DATE_TIME,
    description: 'When the attempt started',
    example: '2026-11-24T15:00:00.112Z',
  })
  started_at: string;

  @ApiProperty({ ...DATE_TIME, description: 'When it ended', example: '2026-11-24T15:00:00.118Z' })
  finished_at: string;

  @ApiProperty({ description: 'How long it took, in milliseconds', type: 'integer', example: 6 })
  duration_ms: number;

  @ApiPropertyOptional({
    description: 'Runner that ran the job (details.runner)',
    example: 'dummyRunner',
  })
  runner?: string;

  @ApiPropertyOptional({
    description: "The runner's output (up to 64 KiB)",
    example: 'Hello, local!',
  })
  output?: string;

  @ApiPropertyOptional({
    description: 'Why the attempt failed, was skipped or missed',
    example: 'EC2 start of i-0abc failed (will retry): ThrottlingException: Rate exceeded',
  })
  error?: string;

  @ApiPropertyOptional({ description: 'Whether a failed attempt will be retried', example: true })
  will_retry?: boolean;

  @ApiPropertyOptional({
    description: 'Cloud request id of the call the runner made, when it has one',
    example: '7d3c9a6e-8f1b-4c2a-9e4d-1a2b3c4d5e6f',
  })
  request_id?: string;

  @ApiPropertyOptional({
    description:
      'For runners acting on a cloud resource: the state it reached after the action, or why not',
    type: () => RunOutcomeDto,
  })
  outcome?: RunOutcomeDto;

  @ApiPropertyOptional({
    description:
      'For a job naming its resources by `tag_selector`: what it matched and what became of it',
    type: () => FleetSummaryDto,
  })
  fleet?: FleetSummaryDto;

  @ApiPropertyOptional({
    description: 'For a fleet: each resource, in the order matched',
    type: () => [ResourceOutcomeDto],
  })
  resources?: ResourceOutcomeDto[];

  @ApiPropertyOptional({
    description:
      'With the CloudWatch run log, a fleet too large for one log event (256 KiB, about 2,000 resources): how many resources `resources` leaves out (the ones that reached their target go first)',
    type: 'integer',
    example: 0,
  })
  resources_omitted?: number;

  @ApiPropertyOptional({
    description: "For a sequence: every step's outcome, in order, and the time each took",
    type: () => [StepOutcomeDto],
  })
  steps?: StepOutcomeDto[];

  @ApiPropertyOptional({
    description: "For a step's own record: the sequence run it belongs to",
    type: () => SequenceLinkDto,
  })
  sequence?: SequenceLinkDto;

  @ApiPropertyOptional({
    description: 'For `missed`: how many occurrences were not run',
    type: 'integer',
    example: 113,
  })
  missed_count?: number;

  @ApiPropertyOptional({
    description: 'Which minion process ran the attempt (`<host>:<pid>`)',
    example: 'minion-7d9f-abcde:1',
  })
  replica?: string;
}
