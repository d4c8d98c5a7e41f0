import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SequenceLink, StepOutcome } from '../../domain/sequence';
import { FleetSummaryDto } from './fleet.dto';
import { RunOutcomeDto } from './run-outcome.dto';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** `StepOutcome` as the OpenAPI document describes it: one step of a sequence's run. */
@ApiSchema({ name: 'StepOutcome', description: "One step of a sequence's run, in order" })
export class StepOutcomeDto implements StepOutcome {
  @ApiProperty({ description: 'From 1, in order', type: 'integer', example: 2 })
  step: number;

  @ApiProperty({ description: "The step's job, `<group>/<id>`", example: 'stack/web' })
  job: string;

  @ApiProperty({
    description: "The step's run id: its own records are in the step job's run history",
    example: 'spinup/stack/web@sequence-2026-12-07T06:00:00Z-step-2',
  })
  run_id: string;

  @ApiProperty({
    description:
      "As the step's last attempt, or `not run` when an earlier step failed and the sequence stops at a failure",
    enum: ['succeeded', 'failed', 'skipped', 'interrupted', 'not run'],
    example: 'succeeded',
  })
  status: StepOutcome['status'];

  @ApiPropertyOptional({ description: 'Attempts the step took', type: 'integer', example: 1 })
  attempts?: number;

  @ApiPropertyOptional({
    ...DATE_TIME,
    description: 'When the step started',
    example: '2026-12-07T06:02:11Z',
  })
  started_at?: string;

  @ApiPropertyOptional({
    ...DATE_TIME,
    description: 'When the step ended',
    example: '2026-12-07T06:03:40Z',
  })
  finished_at?: string;

  @ApiPropertyOptional({
    description: "From the step's start to its end (its action and its wait), in milliseconds",
    type: 'integer',
    example: 89_000,
  })
  duration_ms?: number;

  @ApiPropertyOptional({ description: 'The state its resource reached', type: () => RunOutcomeDto })
  outcome?: RunOutcomeDto;

  @ApiPropertyOptional({
    description: 'For a fleet step: its summary',
    type: () => FleetSummaryDto,
  })
  fleet?: FleetSummaryDto;

  @ApiPropertyOptional({
    description: 'Why it failed, was skipped, or was not run',
    example: 'step 2 (stack/web) failed',
  })
  error?: string;
}

/** `SequenceLink`: the sequence run a step's record belongs to. */
@ApiSchema({ name: 'SequenceLink', description: 'The sequence run this record is a step of' })
export class SequenceLinkDto implements SequenceLink {
  @ApiProperty({
    description: "The sequence's run id",
    example: 'spinup/stacks/start-shop@2026-12-07T06:00:00Z',
  })
  run_id: string;

  @ApiProperty({ description: 'Which step, from 1', type: 'integer', example: 2 })
  step: number;
}
