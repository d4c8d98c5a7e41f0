import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { ApiKey } from '../auth/api-keys.config';

export const AUDIT_ACTIONS = [
  'create',
  'update',
  'delete',
  'delete-group',
  'run',
  'pause',
  'resume',
  'pause-group',
  'resume-group',
  'put-calendar',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who made a request: the API key's name and the client address (and the key, for its scope). */
export interface Actor {
  key: string;
  client: string;
  /** What the key may reach: a job naming other jobs (a sequence) may name only those. */
  scope?: ApiKey;
}

export interface FieldChange {
  before: unknown;
  after: unknown;
}

/** One change made through the API, as the audit trail keeps it. */
@ApiSchema({ name: 'AuditEntry', description: 'One change made through the API: when, who, what' })
export class AuditEntry {
  @ApiProperty({
    description: 'Opaque, increasing within an account: `start_after` of the next page',
    example: '00000000000000000042',
  })
  entry_id: string;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    description: 'When the change was made',
    example: '2026-12-04T17:30:00.120Z',
  })
  at: string;

  @ApiProperty({ description: 'What was done', enum: AUDIT_ACTIONS, example: 'update' })
  action: AuditAction;

  @ApiProperty({ description: 'Account of the job or group', example: 'spinup' })
  account: string;

  @ApiProperty({ description: 'Group of the job, or the group acted on', example: 'space-xy' })
  group: string;

  @ApiProperty({
    description: 'The job; null for a group action',
    nullable: true,
    type: String,
    example: '6bcfa79f-615e-470d-97c1-687f3357497d',
  })
  id: string | null;

  @ApiProperty({
    description: 'Name of the API key used (`token` for the original token)',
    example: 'team-spinup',
  })
  key: string;

  @ApiProperty({ description: 'Client address (see trustProxy)', example: '10.1.2.3' })
  client: string;

  @ApiPropertyOptional({
    description: 'For writes: each changed field, before and after (`details.<key>` for details)',
    example: { schedule_expression: { before: '0 8 * * *', after: '0 7 * * *' } },
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { before: {}, after: {} },
    },
  })
  changes?: Record<string, FieldChange>;

  @ApiPropertyOptional({
    description: 'A run: its run id; a group action: the ids of the jobs it changed',
    example:
      'spinup/space-xy/6bcfa79f-615e-470d-97c1-687f3357497d@manual-0f8fad5b-d9cb-469f-a165-70867728950e',
  })
  detail?: string;
}

/** An entry before the store numbers it. */
export type NewAuditEntry = Omit<AuditEntry, 'entry_id'>;
