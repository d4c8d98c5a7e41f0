import { AccountNotFoundError } from '../common/errors';

/** An account as configured (`accounts.<name>`): the runners it may use, how to reach its AWS resources. */
export interface Account {
  readonly runners: readonly string[];
  /** AWS region of the account's resources; else the SDK's default. */
  readonly region?: string;
  /** IAM role the AWS runners assume for this account; else the default credential chain. */
  readonly role_arn?: string;
  readonly external_id?: string;
  readonly session_name?: string;
}

/**
 * The configured accounts: the `{account}` of every route and every stored job's first segment.
 * Only the configuration defines them (the original had no account API). Its own DI token.
 */
export class Accounts {
  private readonly byName: ReadonlyMap<string, Account>;

  constructor(private readonly record: Readonly<Record<string, Account>>) {
    this.byName = new Map(Object.entries(record));
  }

  /** `name -> account`, as configured. */
  asRecord(): Readonly<Record<string, Account>> {
    return this.record;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Account | undefined {
    return this.byName.get(name);
  }

  /** The account, or AccountNotFoundError (404 `account not found: <name>`). */
  require(name: string): Account {
    const account = this.byName.get(name);
    if (!account) throw new AccountNotFoundError(name);
    return account;
  }
}
