import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  AccountNotFoundError,
  CalendarNotFoundError,
  ConflictError,
  DomainError,
  InvalidFieldError,
  JobNotFoundError,
  ServiceUnavailableError,
  StorageAccessDeniedError,
  TooManyRequestsError,
} from '../errors';
import { AllowedMethods } from '../http/allowed-methods';
import { errorBody } from '../http/error-response.dto';
import { bodyReadError } from '../http/json-body';

/** The one place where domain errors become HTTP answers. Every error body is `{statusCode, error, message}`. */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  constructor(private readonly allowed?: AllowedMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const notAllowed = this.methodNotAllowed(exception, req);
    if (notAllowed) {
      void res
        .header('Allow', notAllowed.join(', '))
        .status(405)
        .send(
          errorBody(
            405,
            `method ${req.method} is not allowed here (allowed: ${notAllowed.join(', ')})`,
          ),
        );
      return;
    }
    const { status, message, retryAfter, extra } = this.map(bodyReadError(exception) ?? exception);
    if (status >= 500 && !(exception instanceof ServiceUnavailableError)) {
      // Only the error's own text and stack: request headers (and so the token) are never logged here.
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    }
    if (retryAfter) void res.header('Retry-After', String(retryAfter));
    // Routes answering text (DELETE's "OK") set their content type first: errors are JSON.
    void res
      .header('Content-Type', 'application/json; charset=utf-8')
      .status(status)
      .send({ ...extra, ...errorBody(status, message) });
  }

  /** No route matched the method, but some route has this path: the methods it answers. */
  private methodNotAllowed(exception: unknown, req: FastifyRequest): string[] | null {
    // Nest's own "no route" answer; handlers report missing things with domain errors.
    const noRoute =
      exception instanceof NotFoundException &&
      exception.message.startsWith(`Cannot ${req.method} `);
    if (!noRoute || !this.allowed) return null;
    const methods = this.allowed.for(req.url.split('?')[0]);
    return methods.length > 0 ? methods : null;
  }

  private map(exception: unknown): {
    status: number;
    message: string;
    retryAfter?: number;
    extra?: object;
  } {
    if (exception instanceof HttpException) {
      const health = healthReport(exception);
      if (health) return { status: exception.getStatus(), ...health };
      return { status: exception.getStatus(), message: httpMessage(exception) };
    }
    if (exception instanceof DomainError) {
      if (
        exception instanceof AccountNotFoundError ||
        exception instanceof JobNotFoundError ||
        exception instanceof CalendarNotFoundError
      ) {
        return { status: HttpStatus.NOT_FOUND, message: exception.message };
      }
      if (exception instanceof InvalidFieldError) {
        return { status: HttpStatus.BAD_REQUEST, message: exception.message };
      }
      if (exception instanceof ConflictError) {
        return { status: HttpStatus.CONFLICT, message: exception.message };
      }
      if (exception instanceof StorageAccessDeniedError) {
        return { status: HttpStatus.FORBIDDEN, message: exception.message };
      }
      if (exception instanceof TooManyRequestsError) {
        return {
          status: HttpStatus.TOO_MANY_REQUESTS,
          message: exception.message,
          retryAfter: exception.retryAfterSeconds,
        };
      }
      if (exception instanceof ServiceUnavailableError) {
        return {
          status: HttpStatus.SERVICE_UNAVAILABLE,
          message: exception.message,
          retryAfter: exception.retryAfterSeconds,
        };
      }
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'internal server error' };
  }
}

/** A terminus health report keeps its details beside the usual fields, and says what is down. */
function healthReport(exception: HttpException): { message: string; extra: object } | null {
  const body = exception.getResponse() as {
    status?: unknown;
    error?: Record<string, { message?: string }>;
    details?: unknown;
  };
  if (typeof body !== 'object' || body === null || body.status !== 'error' || !body.details)
    return null;
  const down = Object.entries(body.error ?? {}).map(([k, v]) =>
    v?.message ? `${k} (${v.message})` : k,
  );
  return {
    message: `not ready: ${down.join(', ')}`,
    extra: {
      status: body.status,
      info: (body as { info?: unknown }).info,
      errors: body.error,
      details: body.details,
    },
  };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}
