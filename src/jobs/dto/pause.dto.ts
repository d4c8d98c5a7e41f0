import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import {
  IsNotEmpty,
  IsOptional,
  IsRFC3339,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';

const DATE_TIME = { type: 'string', format: 'date-time' } as const;

/** `POST .../pause`: until when, and why. */
@ApiSchema({
  name: 'PauseRequest',
  description: 'A pause of the schedule, until a time or until resumed',
})
export class PauseRequestDto {
  @ApiPropertyOptional({
    ...DATE_TIME,
    description:
      'When the pause ends by itself (RFC 3339 with an offset, in the future); null or absent: until resumed',
    example: '2026-12-07T08:00:00+01:00',
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsRFC3339({
    message: '$property must be an RFC 3339 date-time such as 2026-12-07T08:00:00+01:00, or null',
  })
  until?: string | null;

  @ApiProperty({
    description: 'Why: shown on the job and in each skipped occurrence',
    example: 'database migration, back on Monday',
    maxLength: 500,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

/** A pause as a job shows it. */
@ApiSchema({ name: 'JobPause', description: 'A pause in force' })
export class JobPauseDto {
  @ApiProperty({
    ...DATE_TIME,
    description: 'When it ends by itself; null: until resumed',
    example: '2026-12-07T07:00:00.000Z',
    nullable: true,
  })
  until: string | null;

  @ApiProperty({ description: 'Why', example: 'database migration, back on Monday' })
  reason: string;

  @ApiProperty({ description: 'The API key that paused it', example: 'team-spinup' })
  by: string;

  @ApiProperty({ ...DATE_TIME, description: 'When it was paused', example: '2026-12-04T17:30:00Z' })
  at: string;
}

/** What a group pause or resume did. */
@ApiSchema({
  name: 'GroupPauseResult',
  description: 'The jobs of the group a pause or resume changed',
})
export class GroupPauseResultDto {
  @ApiProperty({
    description: 'Ids of the jobs changed',
    type: [String],
    example: ['6bcfa79f-615e-470d-97c1-687f3357497d'],
  })
  changed: string[];
}
