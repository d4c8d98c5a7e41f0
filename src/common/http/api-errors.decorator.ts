import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

export const AUTH_SCHEME = 'X-Auth-Token';

/** The error answers every authenticated job route can give, documented once. */
export function ApiJobErrors(options: { body?: boolean } = {}): MethodDecorator & ClassDecorator {
  const decorators = [
    ApiSecurity(AUTH_SCHEME),
    ApiBadRequestResponse({
      description: 'Invalid path segment or body field (named in `message`)',
      type: ErrorResponseDto,
    }),
    ApiUnauthorizedResponse({ description: 'Missing X-Auth-Token header', type: ErrorResponseDto }),
    ApiForbiddenResponse({ description: 'Wrong token', type: ErrorResponseDto }),
    ApiNotFoundResponse({ description: 'Unknown account, or unknown job', type: ErrorResponseDto }),
  ];
  if (options.body) {
    decorators.push(
      ApiPayloadTooLargeResponse({ description: 'Body over 1 MiB', type: ErrorResponseDto }),
    );
  }
  return applyDecorators(...decorators);
}
