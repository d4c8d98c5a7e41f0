import { ForbiddenException } from '@nestjs/common';
import { AccountNotFoundError, JobNotFoundError } from '../common/errors';
import { Access, ACCESS_RANK, ApiKey } from './api-keys.config';

/** Route parameters a key's scope is checked against. */
export interface ScopedParams {
  account?: string;
  group?: string;
  id?: string;
}

/**
 * Refuses what a key may not reach. Out of its accounts (or groups): the same 404 as an
 * account (or job) that does not exist, so a key learns nothing about others' resources.
 * In scope but below the route's access level: 403 naming the key and both levels.
 */
export function checkScope(key: ApiKey, needed: Access, params: ScopedParams): void {
  const { account, group } = params;
  if (account !== undefined && key.accounts && !key.accounts.has(account)) {
    throw new AccountNotFoundError(account);
  }
  if (account !== undefined && group !== undefined && key.groups && !key.groups.has(group)) {
    throw new JobNotFoundError(account, group, params.id ?? '*');
  }
  if (ACCESS_RANK[key.access] < ACCESS_RANK[needed]) {
    throw new ForbiddenException(
      `key "${key.name}" has ${key.access} access; this route needs ${needed}`,
    );
  }
}

/** Whether the key may run jobs of `account` / `group` (its scope, and `run` access or more). */
export function mayRun(key: ApiKey | undefined, account: string, group: string): boolean {
  if (!key) return true;
  if (key.accounts && !key.accounts.has(account)) return false;
  if (key.groups && !key.groups.has(group)) return false;
  return ACCESS_RANK[key.access] >= ACCESS_RANK.run;
}

/** Whether a group is within the key's groups (every group, for a key not scoped to some). */
export function inKeyGroups(key: ApiKey | undefined, group: string): boolean {
  return !key?.groups || key.groups.has(group);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key the request authenticated with (set by AuthGuard). */
    apiKey?: ApiKey;
  }
}
