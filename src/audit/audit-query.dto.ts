import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsRFC3339, IsString, Max, MaxLength, Min } from 'class-validator';

export class AuditQuery {
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'Entries from this instant on (RFC 3339); without it, from the first',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsRFC3339({ message: '$property must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z' })
  since?: string;

  @ApiPropertyOptional({ type: 'integer', default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 100;

  @ApiPropertyOptional({
    description: 'Where the previous page ended: the `Link` header of an answer gives it',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  start_after?: string;
}
