import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { RunTrigger } from '../../domain/occurrence';
import { RUN_STATUSES, RunRecord, RunStatus } from '../../domain/run-record';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** The newest run record of a job, cut to what a list row shows. */
@ApiSchema({ name: 'RunSummary', description: "A job's newest run record, in short" })
export class RunSummaryDto {
  @ApiProperty({
    description: 'Its occurrence id',
    example: 'local/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@2026-11-24T15:00:00Z',
  })
  run_id: string;

  @ApiProperty({
    description: 'What started it: the schedule, a manual run, or a sequence it is a step of',
    enum: ['schedule', 'manual', 'sequence'],
    example: 'schedule',
  })
  trigger: RunTrigger;

  @ApiProperty({
    description: 'Its status',
    enum: RUN_STATUSES,
    example: 'failed',
  })
  status: RunStatus;

  @ApiProperty({ ...DATE_TIME, description: 'When it finished', example: '2026-11-24T15:00:01Z' })
  finished_at: string;

  @ApiPropertyOptional({
    description: 'Why it failed, was skipped or missed',
    example: 'start i-aaaabbbb11112222: UnauthorizedOperation',
  })
  error?: string;

  @ApiPropertyOptional({
    description: 'The state the resource reached, or why not (`outcome.result`)',
    example: 'reached',
  })
  result?: string;

  @ApiPropertyOptional({ description: 'A failed attempt will be retried', example: false })
  will_retry?: boolean;
}

export function runSummary(r: RunRecord): RunSummaryDto {
  return {
    run_id: r.run_id,
    trigger: r.trigger,
    status: r.status,
    finished_at: r.finished_at,
    ...(r.error ? { error: r.error.slice(0, 500) } : {}),
    ...(r.outcome ? { result: r.outcome.result } : {}),
    ...(r.will_retry !== undefined ? { will_retry: r.will_retry } : {}),
  };
}
