import { RunnerError } from '../common/errors';

/** What a dry run found out about one permission the action needs. */
export interface PermissionCheck {
  /** IAM action, e.g. `ec2:StopInstances`. */
  permission: string;
  result: 'allowed' | 'denied' | 'not checked';
  /** Why denied (with the account and role used) or why it could not be checked. */
  detail?: string;
}

/** What running a job now would do, found without doing it. */
export interface DryRunReport {
  /** The resource's state now, as described; null when it could not be described. */
  state: string | null;
  /** What the run would do, in a sentence ("i-0abc is running; stop would stop it"). */
  would: string;
  checks: PermissionCheck[];
}

/** AWS answers meaning "not allowed" (see aws-errors.ts for the run-time counterpart). */
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthFailure',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'NotAuthorized',
  'UnauthorizedException',
]);

export function isDenied(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return DENIED.has(e?.name ?? '') || e?.$metadata?.httpStatusCode === 403;
}

function errorText(err: unknown): string {
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
    if (isDenied(err)) {
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
