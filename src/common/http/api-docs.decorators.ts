import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

export const AUTH_SCHEME = 'X-Auth-Token';
/** Marks an operation reachable without a token; the document gets `security: []` for it. */
export const PUBLIC_EXTENSION = 'x-minion-public';

/** One realistic answer per error status, so a reader (and a generated client) sees each. */
const ERRORS: Record<number, { description: string; message: string }> = {
  400: {
    description: 'A path segment, query parameter or body field is invalid (named in `message`)',
    message: 'job.schedule_expression is not a valid cron expression: expected 5 fields',
  },
  401: {
    description: 'The X-Auth-Token header is missing',
    message: 'missing X-Auth-Token header',
  },
  403: { description: 'The token is wrong', message: 'invalid token' },
  404: { description: 'Unknown account, or unknown job', message: 'account not found: acme' },
  409: {
    description: 'The job was modified concurrently between read and write: read it again',
    message: 'job space-xy/6bcfa79f was modified concurrently; read it again and retry',
  },
  413: {
    description: 'The body is larger than 1 MiB',
    message: 'request body is larger than 1 MiB',
  },
  429: {
    description:
      'Too many failed authentications from this address, or too many bcrypt checks at once (see `Retry-After`)',
    message: 'too many failed authentications from this address',
  },
  503: {
    description:
      'A dependency (jobs repository, queue, run log) cannot be reached now, or minion is shutting down (see `Retry-After`)',
    message:
      'read space-xy/6bcfa79f: S3 bucket minion-dev-bucket cannot be reached (TimeoutError); retry later',
  },
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    schema: { type: 'integer' as const, example: 5 },
  },
};

/** Error answers, each documented as JSON `{statusCode, error, message}` with its own example. */
export function ApiErrorResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorResponseDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERRORS[status].description,
        headers: status === 429 || status === 503 ? RETRY_AFTER : undefined,
        content: {
          'application/json': {
            schema: { $ref: getSchemaPath(ErrorResponseDto) },
            example: { statusCode: status, error: reason(status), message: ERRORS[status].message },
          },
        },
      }),
    ),
  );
}

/** The error answers every authenticated job route can give. */
export const AUTHENTICATED_ERRORS = [400, 401, 403, 404, 429, 503];

/** A `text/plain` answer (`pong`, `OK`). */
export function ApiTextResponse(status: number, description: string, example: string) {
  return ApiResponse({
    status,
    description,
    content: { 'text/plain': { schema: { type: 'string', example } } },
  });
}

export function ApiPublic(): MethodDecorator & ClassDecorator {
  return ApiExtension(PUBLIC_EXTENSION, true);
}

function reason(status: number): string {
  return (
    {
      400: 'Bad Request',
      401: 'Unauthorized',
      403: 'Forbidden',
      404: 'Not Found',
      409: 'Conflict',
      413: 'Payload Too Large',
      429: 'Too Many Requests',
      503: 'Service Unavailable',
    }[status] ?? 'Error'
  );
}
