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

export class JobWithLogResponseDto extends JobResponseDto {
  @ApiPropertyOptional({
    description: "The job's run log; null until run history exists",
    nullable: true,
    type: 'object',
    additionalProperties: true,
  })
  log: Record<string, unknown> | null;
}
