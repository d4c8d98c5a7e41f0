import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?limit=N` of the routes answering the newest entries first (run history, a job's audit history). */
export class LimitQuery {
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
