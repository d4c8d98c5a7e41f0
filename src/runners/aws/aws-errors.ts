import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { RunnerError } from '../../common/errors';
import { FencedError } from '../../domain/fence';

/** Refusals no retry can fix: credentials or policy. */
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'NotAuthorized',
  'UnauthorizedException',
]);

/** Client-side (4xx) errors that describe a passing state rather than a bad request. */
const TRANSIENT_STATE = new Set([
  'IncorrectInstanceState',
  'InvalidDBInstanceState',
  'InvalidDBInstanceStateFault',
  'InvalidDBClusterStateFault',
  'ServerException',
  // Auto Scaling: another scaling activity or update is in progress.
  'ScalingActivityInProgressFault',
  'ResourceContentionFault',
]);

/** AWS refused the call for lack of permission (credentials or policy). */
export function isAccessDenied(err: unknown): boolean {
  const e = err as SdkError;
  return ACCESS_DENIED.has(e?.name) || e?.$metadata?.httpStatusCode === 403;
}

interface SdkError extends Error {
  $fault?: 'client' | 'server';
  $metadata?: { requestId?: string; httpStatusCode?: number };
}

/**
 * Classifies an AWS SDK error as a RunnerError: throttling, 5xx, network errors and passing states
 * are retryable; access denied is permanent and says which account and role were used; any other
 * client (4xx) error is a bad request (unknown instance, bad parameter) and permanent.
 */
export function awsRunnerError(err: unknown, action: string, identity: string): RunnerError {
  if (err instanceof RunnerError) return err;
  // Not AWS's answer: the call was never sent (see AwsClients); the executor looks for `cause`.
  if (err instanceof FencedError)
    return Object.assign(new RunnerError(err.message, false), { cause: err });
  const e = err as SdkError;
  const requestId = e?.$metadata?.requestId;
  const detail = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
  if (isAccessDenied(e)) {
    return new RunnerError(`${action} was refused for ${identity}: ${detail}`, true, requestId);
  }
  if (
    isThrottlingError(e as never) ||
    isTransientError(e as never) ||
    isServerError(e as never) ||
    TRANSIENT_STATE.has(e?.name)
  ) {
    return new RunnerError(`${action} failed (will retry): ${detail}`, false, requestId);
  }
  if (e?.$fault === 'client')
    return new RunnerError(`${action} failed: ${detail}`, true, requestId);
  return new RunnerError(`${action} failed: ${detail}`, false, requestId);
}
