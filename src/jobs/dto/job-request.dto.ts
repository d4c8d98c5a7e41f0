import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, IsDefined, IsOptional } from 'class-validator';
import { NestedArray, NestedObject } from '../../common/validators/nested.decorators';
import { JobInputDto } from './job-input.dto';
import { TAGS_EXAMPLE, TagDto } from './tag.dto';

/**
 * Body of create (POST) and update (PUT): `{"job": {...}, "tags": [...]}`. As the original read
 * it: keys match case-insensitively and unknown keys (the `log` and `next` of a GET answer sent
 * back whole) are ignored, never stored.
 */
@ApiSchema({ name: 'JobRequest', description: 'Body of create (POST) and update (PUT)' })
export class JobRequestDto {
  @ApiProperty({ type: JobInputDto, description: 'The job document' })
  @IsDefined()
  @NestedObject(() => JobInputDto)
  job: JobInputDto;

  @ApiPropertyOptional({
    type: [TagDto],
    description: 'Tags (at most 50), kept with the job and set on its CloudWatch log group',
    example: TAGS_EXAMPLE,
    maxItems: 50,
  })
  @IsOptional()
  @ArrayMaxSize(50)
  @NestedArray(() => TagDto)
  tags?: TagDto[];
}
