import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

const STATUS = {
  description: '`up` when the check passed',
  enum: ['up', 'down'],
  example: 'up',
} as const;

@ApiSchema({ name: 'RepositoryHealth', description: 'The jobs repository check' })
export class RepositoryHealthDto {
  @ApiProperty(STATUS)
  status: 'up' | 'down';

  @ApiProperty({ description: 'Where jobs are stored', example: 'file:/app/data/acme' })
  location: string;

  @ApiPropertyOptional({ description: 'Why it is down', example: 'no answer within 3000 ms' })
  message?: string;
}

@ApiSchema({ name: 'UnrunnableJob', description: 'An enabled job that cannot run as stored' })
export class UnrunnableJobDto {
  @ApiProperty({ description: 'The job, as account/group/id', example: 'spinup/space-xy/6bcfa79f' })
  job: string;

  @ApiProperty({
    description: 'What is unusable',
    enum: ['schedule', 'runner'],
    example: 'runner',
  })
  problem: 'schedule' | 'runner';

  @ApiProperty({
    description: 'Why',
    example: 'job.details.runner: "instanceRunner" is not allowed for account "spinup"',
  })
  reason: string;
}

@ApiSchema({ name: 'Unrunnable', description: 'Enabled jobs that cannot run as stored' })
export class UnrunnableDto {
  @ApiProperty({
    description: 'How many enabled jobs cannot run as stored',
    type: 'integer',
    example: 1,
  })
  count: number;

  @ApiProperty({ description: 'The first 20 of them', type: [UnrunnableJobDto] })
  jobs: UnrunnableJobDto[];
}

@ApiSchema({ name: 'SchedulerHealth', description: 'The job cache check' })
export class SchedulerHealthDto {
  @ApiProperty(STATUS)
  status: 'up' | 'down';

  @ApiProperty({
    description:
      'Whether the first load of the job cache finished (readiness does not wait for it; the ' +
      'scheduler starts ticking when it has)',
    example: true,
  })
  loaded: boolean;

  @ApiProperty({ description: 'Enabled jobs in the cache', type: 'integer', example: 42 })
  jobs: number;

  @ApiProperty({
    description: 'When the cache last loaded',
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: '2026-11-25T10:00:00.000Z',
  })
  lastLoadAt: string | null;

  @ApiProperty({
    description: 'Why the last load failed (the last good cache is kept)',
    type: 'string',
    nullable: true,
    example: null,
  })
  lastLoadError: string | null;

  @ApiProperty({
    description: 'Enabled jobs that cannot run as stored (never a reason to be unready)',
    type: UnrunnableDto,
  })
  unrunnable: UnrunnableDto;
}

@ApiSchema({ name: 'RedisHealth', description: 'The Redis check (several replicas)' })
export class RedisHealthDto {
  @ApiProperty(STATUS)
  status: 'up' | 'down';

  @ApiProperty({ description: 'Which Redis (never the password)', example: 'redis redis:6379/0' })
  where: string;

  @ApiPropertyOptional({ description: 'Why it is down', example: 'no answer within 1000 ms' })
  message?: string;
}

@ApiSchema({
  name: 'ShutdownHealth',
  description: 'Present only while minion drains before it stops',
})
export class ShutdownHealthDto {
  @ApiProperty({
    description: 'Always `down`: the pod is leaving',
    enum: ['down'],
    example: 'down',
  })
  status: 'down';

  @ApiProperty({ description: 'Why', example: 'shutting down' })
  message: string;

  @ApiProperty({
    description: 'When the drain began (SIGTERM)',
    type: 'string',
    format: 'date-time',
    example: '2026-11-25T10:00:00.000Z',
  })
  since: string;
}

/** minion's checks, by name: `redis` only with the Redis queue. */
@ApiSchema({ name: 'HealthChecks', description: "minion's checks, by name" })
export class HealthChecksDto {
  @ApiPropertyOptional({
    description: 'The jobs repository answers a write and a read',
    type: RepositoryHealthDto,
  })
  repository?: RepositoryHealthDto;

  @ApiPropertyOptional({ description: 'The job cache has loaded', type: SchedulerHealthDto })
  scheduler?: SchedulerHealthDto;

  @ApiPropertyOptional({ description: 'Redis answers (several replicas)', type: RedisHealthDto })
  redis?: RedisHealthDto;

  @ApiPropertyOptional({
    description: 'Draining after SIGTERM: readiness fails on purpose',
    type: ShutdownHealthDto,
  })
  shutdown?: ShutdownHealthDto;
}

@ApiSchema({ name: 'Health', description: 'A passing probe' })
export class HealthResponseDto {
  @ApiProperty({ description: 'Overall: `ok`', enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty({ description: 'Checks that passed', type: HealthChecksDto })
  info: HealthChecksDto;

  @ApiProperty({ description: 'Checks that failed (none)', type: HealthChecksDto })
  error: HealthChecksDto;

  @ApiProperty({ description: 'Every check', type: HealthChecksDto })
  details: HealthChecksDto;
}

@ApiSchema({
  name: 'HealthUnavailable',
  description: 'A failing readiness probe: what is down, as an error answer',
})
export class HealthUnavailableDto {
  @ApiProperty({ description: 'Overall: `error`', enum: ['error'], example: 'error' })
  status: 'error';

  @ApiProperty({ description: 'Checks that passed', type: HealthChecksDto })
  info: HealthChecksDto;

  @ApiProperty({ description: 'Checks that failed', type: HealthChecksDto })
  errors: HealthChecksDto;

  @ApiProperty({ description: 'Every check', type: HealthChecksDto })
  details: HealthChecksDto;

  @ApiProperty({ description: '503', type: 'integer', example: 503 })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP reason phrase', example: 'Service Unavailable' })
  error: string;

  @ApiProperty({
    description: 'What is down',
    example: 'not ready: redis (no answer within 1000 ms)',
  })
  message: string;
}
