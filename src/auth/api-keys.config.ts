import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MinLength,
} from 'class-validator';

export const ACCESS_LEVELS = ['read', 'run', 'write'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** What each level may do: read < run (read, run now, dry run) < write (everything). */
export const ACCESS_RANK: Record<Access, number> = { read: 0, run: 1, write: 2 };

export const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/**
 * `apiKeys[i]`: a named key reaching some accounts (or all, `"*"`), optionally some groups of
 * them, at one access level. `token` is the secret itself (16+ characters) or its bcrypt hash,
 * so the config need hold no plaintext secret.
 */
export class ApiKeyDefinition {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, {
    message:
      '$property must be 1-64 letters, digits and _.@- (it names the key in logs and the audit)',
  })
  name: string;

  @IsString()
  @MinLength(16, { message: '$property must be at least 16 characters, or a bcrypt hash' })
  token: string;

  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsString({ each: true })
  accounts: string[];

  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsString({ each: true })
  groups?: string[];

  @IsIn(ACCESS_LEVELS, { message: `$property must be one of: ${ACCESS_LEVELS.join(', ')}` })
  access: Access;
}

/** A key as the guard knows it. The original `token` is the key named `token` with full access. */
export interface ApiKey {
  readonly name: string;
  /** null: every account. */
  readonly accounts: ReadonlySet<string> | null;
  /** null: every group of those accounts. */
  readonly groups: ReadonlySet<string> | null;
  readonly access: Access;
}

export interface ApiKeySettings extends ApiKey {
  /** The secret, or its bcrypt hash (`hashed`). */
  readonly token: string;
  readonly hashed: boolean;
}

export const FULL_ACCESS_NAME = 'token';

export function apiKeySettings(token: string, defs: ApiKeyDefinition[] = []): ApiKeySettings[] {
  const full: ApiKeySettings = {
    name: FULL_ACCESS_NAME,
    token,
    hashed: false,
    accounts: null,
    groups: null,
    access: 'write',
  };
  return [
    full,
    ...defs.map((d) => ({
      name: d.name,
      token: d.token,
      hashed: BCRYPT_HASH.test(d.token),
      accounts: d.accounts.includes('*') ? null : new Set(d.accounts),
      groups: d.groups ? new Set(d.groups) : null,
      access: d.access,
    })),
  ];
}

/** Problems spanning keys: names and secrets unique, accounts that exist. */
export function apiKeyProblems(
  defs: ApiKeyDefinition[] | undefined,
  token: string,
  accounts: string[],
): string[] {
  const problems: string[] = [];
  const names = new Set<string>([FULL_ACCESS_NAME]);
  const secrets = new Set<string>([token]);
  for (const [i, d] of (defs ?? []).entries()) {
    if (names.has(d.name))
      problems.push(`apiKeys[${i}].name: "${d.name}" is used twice (or is the reserved "token")`);
    names.add(d.name);
    if (secrets.has(d.token))
      problems.push(`apiKeys[${i}].token: the same secret as another key (each key needs its own)`);
    secrets.add(d.token);
    for (const account of d.accounts) {
      if (account !== '*' && !accounts.includes(account)) {
        problems.push(
          `apiKeys[${i}].accounts: "${account}" is not in accounts (it has: ${accounts.join(', ') || 'none'})`,
        );
      }
    }
  }
  return problems;
}
