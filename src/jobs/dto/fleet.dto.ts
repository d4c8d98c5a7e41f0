import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { FleetPreview, FleetSummary, ResourceOutcome } from '../../domain/fleet';
import { RUN_OUTCOME_RESULTS } from '../../domain/outcome';

const RESOURCE_RESULTS = [...RUN_OUTCOME_RESULTS, 'skipped', 'failed'] as const;

@ApiSchema({
  name: 'ResourceOutcome',
  description: 'What a fleet run did to one resource its tag selector matched',
})
export class ResourceOutcomeDto implements ResourceOutcome {
  @ApiProperty({ description: 'The resource', example: 'i-0123456789abcdef0' })
  id: string;

  @ApiProperty({
    description:
      'As `RunOutcome.result`, or skipped (its skip tag is in force: `detail` says until when) or failed (the action on it failed: `detail` says why)',
    enum: RESOURCE_RESULTS,
    example: 'reached',
  })
  result: ResourceOutcome['result'];

  @ApiProperty({
    description: 'Its state before the action',
    type: String,
    nullable: true,
    example: 'running',
  })
  before: string | null;

  @ApiPropertyOptional({
    description: 'The state last seen (the target, when reached)',
    type: String,
    nullable: true,
    example: 'stopped',
  })
  state?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'When the target state was seen',
    example: '2026-12-07T18:01:12.840Z',
  })
  reached_at?: string;

  @ApiPropertyOptional({
    description: 'From its action to the end of its wait, in milliseconds',
    type: 'integer',
    example: 71_204,
  })
  ms?: number;

  @ApiPropertyOptional({
    description: 'failed: the error; skipped: the reason',
    example: 'tag minion:skip until 2026-12-11T18:00:00Z',
  })
  detail?: string;
}

@ApiSchema({ name: 'FleetSummary', description: 'A fleet run in numbers' })
export class FleetSummaryDto implements FleetSummary {
  @ApiProperty({ description: 'The tag selector, as read', example: 'Schedule=office-hours' })
  selector: string;

  @ApiProperty({
    description: 'The state the resources acted on were to reach',
    example: 'stopped',
  })
  target: string;

  @ApiProperty({ description: 'Resources the selector matched', type: 'integer', example: 1000 })
  matched: number;

  @ApiProperty({ description: 'Left alone by their skip tag', type: 'integer', example: 1 })
  skipped: number;

  @ApiProperty({
    description: 'In the target state already (no call)',
    type: 'integer',
    example: 0,
  })
  already: number;

  @ApiProperty({ description: 'Acted on (or tried)', type: 'integer', example: 999 })
  acted: number;

  @ApiProperty({ description: 'Acted on and seen at the target', type: 'integer', example: 999 })
  reached: number;

  @ApiProperty({
    description: 'Not where they should be at the end (failed, timeout, elsewhere, ...)',
    type: 'integer',
    example: 0,
  })
  missed: number;
}

@ApiSchema({ name: 'SkippedResource', description: 'A resource a fleet leaves alone, and why' })
class SkippedResourceDto {
  @ApiProperty({ description: 'The resource', example: 'i-0aaaabbbbcccc0001' })
  id: string;

  @ApiProperty({
    description: 'Its skip tag in force, or what else leaves it alone',
    example: 'tag minion:skip until 2026-12-11T18:00:00Z',
  })
  reason: string;
}

@ApiSchema({ name: 'FleetPreview', description: 'What a tag selector matches now (dry run)' })
export class FleetPreviewDto implements FleetPreview {
  @ApiProperty({ description: 'The tag selector, as read', example: 'Schedule=office-hours' })
  selector: string;

  @ApiProperty({ description: 'Resources it matches now', type: 'integer', example: 1000 })
  matched: number;

  @ApiProperty({ description: 'How many the run would act on', type: 'integer', example: 999 })
  acting: number;

  @ApiProperty({
    description: 'Their ids (the first 100)',
    type: [String],
    example: ['i-0aaaabbbbcccc0000'],
  })
  ids: string[];

  @ApiProperty({ description: 'How many carry the skip tag', type: 'integer', example: 1 })
  skipped: number;

  @ApiProperty({ description: 'Which, and why (the first 100)', type: [SkippedResourceDto] })
  skipped_ids: SkippedResourceDto[];

  @ApiProperty({
    description: 'In the target state already, or on its way there (no call)',
    type: 'integer',
    example: 0,
  })
  already: number;

  @ApiProperty({ description: 'The safety limit for this job', type: 'integer', example: 1000 })
  limit: number;

  @ApiProperty({ description: 'Whether the limit would refuse the run (it would act on none)' })
  refused: boolean;
}
