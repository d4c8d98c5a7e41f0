import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

/** Shape of every error answer. */
@ApiSchema({
  name: 'Error',
  description:
    'Every error answer: status, reason phrase, and a message naming the offending field',
})
export class ErrorResponseDto {
  @ApiProperty({ description: 'The HTTP status code, repeated', example: 400, type: 'integer' })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP reason phrase', example: 'Bad Request' })
  error: string;

  @ApiProperty({
    description: 'What went wrong, naming the offending field',
    example: 'job.schedule_expression is not a valid cron expression: expected 5 fields',
  })
  message: string;
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
