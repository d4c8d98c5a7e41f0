import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 10_000;

/**
 * Optional paging of the two list routes. Without `limit`, everything (as the original). With it,
 * at most `limit` entries after `start_after`; when more follow, the answer carries
 * `Link: <...?limit=N&start_after=...>; rel="next"` and the body stays a bare array.
 */
export class ListQuery {
  @ApiPropertyOptional({
    description: `Page size (1-${MAX_PAGE_SIZE}); without it, every entry`,
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    example: 100,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description:
      'Return entries sorting after this one (the last entry of the previous page; the `Link` header gives it)',
    example: 'space-xy/6bcfa79f-615e-470d-97c1-687f3357497d',
    maxLength: 513,
  })
  @IsOptional()
  @IsString()
  @MaxLength(513)
  start_after?: string;
}

export class RunsQuery {
  @ApiPropertyOptional({
    description: 'How many records, newest first',
    type: 'integer',
    default: 20,
    minimum: 1,
    maximum: 1000,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 20;
}

export class NextQuery {
  @ApiPropertyOptional({
    description: 'How many fire times',
    type: 'integer',
    default: 5,
    minimum: 1,
    maximum: 100,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  count: number = 5;
}
