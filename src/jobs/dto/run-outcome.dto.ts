import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { RUN_OUTCOME_RESULTS, RunOutcome, RunOutcomeResult } from '../../domain/outcome';

/** The outcome part of a run record, documented for Swagger from the same fields. */
@ApiSchema({
  name: 'RunOutcome',
  description:
    "What the action did to its resource: the state before, the state aimed at, and the state reached (or why not). The record's `status` is `succeeded` only for reached, already and not waited.",
})
export class RunOutcomeDto implements RunOutcome {
  @ApiProperty({
    description:
      'reached: the target state was seen; already: it was there before, so no call was made; not waited: the job set `wait: "false"`; timeout: not reached within the wait limit; elsewhere: the resource went to another state (or vanished); refused: the role may not describe it; interrupted: minion shut down while waiting',
    enum: RUN_OUTCOME_RESULTS,
    example: 'reached',
  })
  result: RunOutcomeResult;

  @ApiProperty({ description: 'The resource acted on', example: 'instance i-0123456789abcdef0' })
  resource: string;

  @ApiProperty({ description: 'The state the action aims at', example: 'running' })
  target: string;

  @ApiProperty({
    description: 'The state before the action; null when it could not be described',
    nullable: true,
    type: String,
    example: 'stopped',
  })
  before: string | null;

  @ApiProperty({
    description: 'The state last seen (the target, when reached); null when never described',
    nullable: true,
    type: String,
    example: 'running',
  })
  state: string | null;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'When the target state was seen',
    example: '2026-11-24T07:01:12.840Z',
  })
  reached_at?: string;

  @ApiProperty({
    description: 'Time spent waiting after the action, in milliseconds',
    type: 'integer',
    example: 71_204,
  })
  waited_ms: number;

  @ApiPropertyOptional({
    description: 'Why the wait ended otherwise (the refusal, the shutdown)',
    example: 'minion is shutting down',
  })
  detail?: string;
}
