import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { JobFilter } from '../job-filter';

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

  @ApiPropertyOptional({
    description: 'Only enabled (`true`) or disabled (`false`) jobs',
    enum: ['true', 'false'],
    example: 'true',
  })
  @IsOptional()
  @IsIn(['true', 'false'], { message: '$property must be true or false' })
  enabled?: 'true' | 'false';

  @ApiPropertyOptional({
    description: 'Only jobs whose `details.runner` is this runner',
    example: 'instanceRunner',
    maxLength: 128,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  runner?: string;

  @ApiPropertyOptional({
    description: 'Only jobs carrying this tag, as `key:value` (split at the first colon)',
    example: 'team:spinup',
    maxLength: 385,
  })
  @IsOptional()
  @IsString()
  @Matches(/^[^:]{1,128}:.{0,256}$/s, {
    message: '$property must be key:value (key 1-128 characters, value up to 256)',
  })
  tag?: string;

  @ApiPropertyOptional({
    description: 'Only jobs whose `name` starts with this',
    example: 'start-',
    maxLength: 256,
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  name?: string;
}

/** The filters of a list query, as the service takes them. */
export function filterOf(q: ListQuery): JobFilter {
  const colon = q.tag?.indexOf(':') ?? -1;
  return {
    enabled: q.enabled === undefined ? undefined : q.enabled === 'true',
    runner: q.runner,
    tag:
      q.tag && colon > 0
        ? { key: q.tag.slice(0, colon), value: q.tag.slice(colon + 1) }
        : undefined,
    name: q.name,
  };
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
