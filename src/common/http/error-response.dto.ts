import { ApiProperty } from '@nestjs/swagger';

/** Shape of every error answer. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ example: 'Bad Request' })
  error: string;

  @ApiProperty({
    description: 'What went wrong, naming the offending field',
    example: 'job.schedule_expression is not a valid cron expression: expected 5 fields',
  })
  message: string;
}
