import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsDuration } from '../common/validators/is-duration.validator';
import { parseDuration } from '../common/duration';
import { ApiKeyDefinition, apiKeySettings, ApiKeySettings } from './api-keys.config';

/** `auth`: limits that keep authentication cheap for the server. */
export class AuthOptions {
  /** bcrypt hashes in X-Auth-Token costlier than this are refused unchecked (default 12). */
  @IsOptional()
  @IsInt()
  @Min(4)
  @Max(16)
  maxBcryptCost?: number;

  /** bcrypt checks running at once; beyond it a request is answered 429 (default 2). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  bcryptConcurrency?: number;

  /** Failed authentications per client address within `failureWindow` before 429 (default 10). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  failureLimit?: number;

  @IsOptional()
  @IsDuration()
  failureWindow?: string;
}

/** `token`, `apiKeys` and `auth`, resolved: the auth settings slice (DI token). */
export abstract class AuthSettings {
  abstract readonly token: string;
  /** Every key: the original token first (full access), then `apiKeys`. */
  abstract readonly keys: readonly ApiKeySettings[];
  abstract readonly maxBcryptCost: number;
  abstract readonly bcryptConcurrency: number;
  abstract readonly failureLimit: number;
  abstract readonly failureWindowMs: number;
}

export function authSettings(
  token: string,
  def: AuthOptions = {},
  apiKeys: ApiKeyDefinition[] = [],
): AuthSettings {
  return {
    token,
    keys: apiKeySettings(token, apiKeys),
    maxBcryptCost: def.maxBcryptCost ?? 12,
    bcryptConcurrency: def.bcryptConcurrency ?? 2,
    failureLimit: def.failureLimit ?? 10,
    failureWindowMs: (def.failureWindow && parseDuration(def.failureWindow)) || 60_000,
  };
}
