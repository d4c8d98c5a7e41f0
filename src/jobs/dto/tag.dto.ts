import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';

/** A tag, as the original set on the job's log group; limits are CloudWatch's. */
@ApiSchema({
  name: 'Tag',
  description: 'A tag, kept with the job and set on its CloudWatch log group',
})
export class TagDto {
  @ApiProperty({
    description: 'Tag key (1-128 characters)',
    example: 'foo',
    minLength: 1,
    maxLength: 128,
  })
  @IsString()
  @Length(1, 128)
  key: string;

  @ApiProperty({ description: 'Tag value (up to 256 characters)', example: 'bar', maxLength: 256 })
  @IsString()
  @MaxLength(256)
  value: string;
}

export const TAGS_EXAMPLE = [
  { key: 'foo', value: 'bar' },
  { key: 'baz', value: 'biz' },
];
