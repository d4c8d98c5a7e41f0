import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDefined, IsOptional, ValidateNested } from 'class-validator';
import { JobInputDto } from './job-input.dto';
import { TAGS_EXAMPLE, TagDto } from './tag.dto';

/** Body of create (POST) and update (PUT): `{"job": {...}, "tags": [...]}`. */
export class JobRequestDto {
  @ApiProperty({ type: JobInputDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => JobInputDto)
  job: JobInputDto;

  @ApiPropertyOptional({ type: [TagDto], example: TAGS_EXAMPLE, maxItems: 50 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TagDto)
  tags?: TagDto[];
}
