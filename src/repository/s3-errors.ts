import {
  ConflictError,
  InvalidFieldError,
  ServiceUnavailableError,
  StorageAccessDeniedError,
} from '../common/errors';

interface SdkError extends Error {
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Error names of S3 throttling (S3 answers 503 SlowDown; compatible stores use the others). */
const THROTTLING = ['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException'];
/** Our deadline (AbortSignal) or the HTTP handler's timeout: S3 accepted the call and hung. */
const TIMED_OUT = ['AbortError', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException'];
const DEFAULT_RETRY_AFTER_S = 5;
const MAX_RETRY_AFTER_S = 120;

export function isNotFound(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * Maps an S3 error to the domain: a failed condition (412/409) is a conflict, access denied names
 * the bucket (403 to the client), anything else (network, 5xx, throttling) means S3 cannot be
 * reached right now (503 with a retry hint). Never includes credentials.
 */
export function s3Failure(err: unknown, bucket: string, action: string): Error {
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (
    e?.name === 'PreconditionFailed' ||
    e?.name === 'ConditionalRequestConflict' ||
    status === 412 ||
    status === 409
  ) {
    return new ConflictError(
      `${action}: the job was modified concurrently; read it again and retry`,
    );
  }
  if (
    ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AllAccessDisabled'].includes(
      e?.name,
    ) ||
    status === 403
  ) {
    return new StorageAccessDeniedError(
      `${action}: access to S3 bucket ${bucket} was denied (${e.name})`,
    );
  }
  if (e?.name === 'KeyTooLongError') {
    return new InvalidFieldError('group/id', 'too long: the S3 key would exceed 1024 bytes');
  }
  if (e?.name === 'NoSuchBucket') {
    return new ServiceUnavailableError(`${action}: S3 bucket ${bucket} does not exist`, 60);
  }
  const retryAfter = retryAfterOf(e) ?? DEFAULT_RETRY_AFTER_S;
  if (THROTTLING.includes(e?.name) || status === 429) {
    return new ServiceUnavailableError(
      `${action}: S3 bucket ${bucket} is throttling requests (${e.name}); retry later`,
      retryAfter,
    );
  }
  if (TIMED_OUT.includes(e?.name)) {
    return new ServiceUnavailableError(
      `${action}: S3 bucket ${bucket} did not answer in time (${e.name}); retry later`,
      retryAfter,
    );
  }
  return new ServiceUnavailableError(
    `${action}: S3 bucket ${bucket} cannot be reached (${e?.name ?? 'error'}); retry later`,
    retryAfter,
  );
}

/** S3's own Retry-After (seconds), when it sent one, within 1 s .. 2 min. */
function retryAfterOf(e: SdkError | undefined): number | undefined {
  const header = e?.$response?.headers?.['retry-after'];
  const seconds = header === undefined ? NaN : Number(header);
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(seconds)));
}
