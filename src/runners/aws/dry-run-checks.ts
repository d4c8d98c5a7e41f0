import { RunnerError } from '../../common/errors';
import { PermissionCheck } from '../../domain/dry-run';
import { isAccessDenied } from './aws-errors';

/** Helpers of the AWS runners' dry runs (see `Runner.dryRun`). */

export function errorText(err: unknown): string {
  const e = err as Error;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
}

/**
 * Runs a describe call for a dry run, recording the check of its permission: allowed when it
 * answered, denied (naming `identity`) when AWS refused it. Any other error is the answer's
 * subject (a resource that does not exist), returned as `error`.
 */
export async function describeChecked<T>(
  permission: string,
  identity: string,
  checks: PermissionCheck[],
  call: () => Promise<T>,
): Promise<{ value?: T; error?: string }> {
  try {
    const value = await call();
    checks.push({ permission, result: 'allowed' });
    return { value };
  } catch (err) {
    if (isAccessDenied(err)) {
      checks.push({
        permission,
        result: 'denied',
        detail: `refused for ${identity}: ${errorText(err)}`,
      });
      return { error: `could not be described (${permission} denied)` };
    }
    // AWS checks permissions first: a client error after that (not found) means it was allowed;
    // throttling or a network error says nothing about it.
    const client =
      (err as { $fault?: string }).$fault === 'client' ||
      (err instanceof RunnerError && err.permanent);
    checks.push(
      client
        ? { permission, result: 'allowed' }
        : { permission, result: 'not checked', detail: errorText(err) },
    );
    return { error: errorText(err) };
  }
}

/** The permission of an action AWS cannot try without acting. */
export function notChecked(permission: string, service: string): PermissionCheck {
  return {
    permission,
    result: 'not checked',
    detail: `${service} has no dry run, and minion does not simulate IAM policies`,
  };
}

/**
 * "<subject> is <state>; <action> would <effect>", or, when the describe call failed because of
 * the resource (it does not exist), "<subject> <error>; <action> would fail".
 */
export function sentence(
  subject: string,
  action: string,
  state: string | null,
  described: { error?: string },
  describeCheck: PermissionCheck,
  effect: string,
): string {
  if (described.error) {
    const fails = describeCheck.result === 'allowed';
    return `${subject} ${described.error}; ${action} would ${fails ? 'fail' : effect}`;
  }
  return `${subject} is ${state ?? 'in an unknown state'}; ${action} would ${effect}`;
}
