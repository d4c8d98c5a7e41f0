import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { FleetPreviewDto } from './fleet.dto';

@ApiSchema({ name: 'PermissionCheck', description: 'One permission the action needs, as checked' })
export class PermissionCheckDto {
  @ApiProperty({ description: 'IAM action', example: 'ec2:StopInstances' })
  permission: string;

  @ApiProperty({
    description:
      '`allowed` or `denied` by AWS; `not checked` where the service cannot try an action without doing it',
    enum: ['allowed', 'denied', 'not checked'],
    example: 'allowed',
  })
  result: 'allowed' | 'denied' | 'not checked';

  @ApiPropertyOptional({
    description: 'Why denied (naming the account and the role used), or why not checked',
    example:
      'refused for account "spinup" via role arn:aws:iam::123456789012:role/minion-runner: UnauthorizedOperation: ...',
  })
  detail?: string;
}

@ApiSchema({
  name: 'ResourceAction',
  description: 'The resource a job acts on and what it does to it, as its runner describes it',
})
export class ResourceActionDto {
  @ApiProperty({
    description:
      '`<kind>:<identifier>`: `instance:`, `database:`, `service:<cluster>/<name>`, `group:`',
    example: 'instance:i-aaaabbbb11112222',
  })
  resource: string;

  @ApiProperty({ description: 'What the job does to it', example: 'stop' })
  action: string;
}

@ApiSchema({
  name: 'DryRun',
  description: 'What running the job now would do, found without doing it (nothing is recorded)',
})
export class DryRunResponseDto {
  @ApiProperty({ description: "The job's runner (`details.runner`)", example: 'instanceRunner' })
  runner: string;

  @ApiProperty({ description: 'Its type', example: 'instance' })
  type: string;

  @ApiProperty({
    description: "The resource's state now, as described; null when it could not be described",
    type: 'string',
    nullable: true,
    example: 'running',
  })
  state: string | null;

  @ApiProperty({
    description: 'What the run would do',
    example: 'i-aaaabbbb11112222 is running; stop would stop it',
  })
  would: string;

  @ApiProperty({
    description: 'Permissions the action needs, as checked',
    type: [PermissionCheckDto],
  })
  checks: PermissionCheckDto[];

  @ApiProperty({
    description:
      'The resource the job acts on and what it does to it (what `/schedule` compares for conflicts); null for runners acting on no shared resource (dummy, task)',
    type: ResourceActionDto,
    nullable: true,
  })
  acts_on: ResourceActionDto | null;

  @ApiPropertyOptional({
    description: 'For a job naming its resources by `tag_selector`: what it matches now',
    type: FleetPreviewDto,
  })
  fleet?: FleetPreviewDto;

  @ApiProperty({
    description:
      "The longest the run could take, in milliseconds: every attempt to its time limit (plus 5 s for it to say what it did) and its wait for the target state (the runner's waitTimeout), with the pauses between attempts; for a sequence, the sum over its steps",
    type: 'integer',
    example: 1_800_000,
  })
  worst_case_ms: number;

  @ApiPropertyOptional({
    description: "For a sequence: each step's dry run, in order",
    type: () => [DryRunStepDto],
  })
  steps?: DryRunStepDto[];
}

@ApiSchema({ name: 'DryRunStep', description: "A sequence step's dry run" })
export class DryRunStepDto extends DryRunResponseDto {
  @ApiProperty({ description: 'Its place in the sequence, from 1', type: 'integer', example: 1 })
  step: number;

  @ApiProperty({
    description: '`<group>/<id>` of the step',
    example: 'stack/6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  job: string;
}
