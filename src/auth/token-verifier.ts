import { Injectable } from '@nestjs/common';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHash } from 'node:crypto';
import { AuthSettings } from './auth.config';
import { ApiKey, ApiKeySettings, BCRYPT_HASH } from './api-keys.config';

const CACHE_LIMIT = 1000;

/** The key an `X-Auth-Token` value belongs to; `busy`: a bcrypt check would exceed the bound. */
export type Verdict = ApiKey | 'invalid' | 'busy';

/**
 * Finds which key an `X-Auth-Token` value is: the original `token` (full access) or one of
 * `apiKeys`. A key held as plain text matches the value itself (looked up by its SHA-256, so no
 * comparison runs over the secret) or a bcrypt hash of it, which is what clients of the original
 * minion send; a key held as a bcrypt hash in the config matches the plain secret.
 *
 * bcrypt is deliberately slow, and a hash is checked before the client is known to be anyone, so
 * its cost to the server is bounded three ways: hashes costlier than `auth.maxBcryptCost` are
 * refused unchecked; at most `auth.bcryptConcurrency` checks run at once (beyond that the answer
 * is `busy`, never a queue that grows); and checks run on libuv's thread pool (@node-rs/bcrypt,
 * native), so the event loop, and with it every other request and probe, is never blocked.
 * Verdicts are cached (bounded), so a client sending the same value pays once.
 */
@Injectable()
export class TokenVerifier {
  /** SHA-256 (hex) of each plain-text key -> the key. */
  private readonly plain = new Map<string, ApiKeySettings>();
  private readonly plainKeys: ApiKeySettings[];
  private readonly hashedKeys: ApiKeySettings[];
  private readonly verdicts = new Map<string, ApiKey | null>();
  private readonly inFlight = new Map<string, Promise<ApiKey | null>>();
  private readonly maxCost: number;
  private readonly concurrency: number;

  constructor(settings: AuthSettings) {
    const keys = settings.keys;
    this.plainKeys = keys.filter((k) => !k.hashed);
    this.hashedKeys = keys.filter((k) => k.hashed);
    for (const key of this.plainKeys) this.plain.set(digest(key.token), key);
    this.maxCost = settings.maxBcryptCost;
    this.concurrency = settings.bcryptConcurrency;
  }

  /**
   * The key `presented` is already known to be, without any expensive check: a plain-text key
   * or a value whose bcrypt check already succeeded (cached). The auth throttle never stands in
   * front of these, so one client's stale token cannot lock out the others at its address.
   */
  known(presented: string): ApiKey | undefined {
    const id = digest(presented);
    return this.plain.get(id) ?? this.verdicts.get(id) ?? undefined;
  }

  async verify(presented: string): Promise<Verdict> {
    const id = digest(presented);
    const direct = this.plain.get(id);
    if (direct) return direct;
    const match = BCRYPT_HASH.exec(presented);
    if (match ? Number(match[1]) > this.maxCost : this.hashedKeys.length === 0) return 'invalid';
    const known = this.verdicts.get(id);
    if (known !== undefined) return known ?? 'invalid';
    // The same value already being checked (a client's parallel requests): share the check.
    let check = this.inFlight.get(id);
    if (!check) {
      if (this.inFlight.size >= this.concurrency) return 'busy';
      check = this.check(presented, id, match !== null);
    }
    return (await check) ?? 'invalid';
  }

  /** A presented hash against the plain keys; a presented secret against the hashed ones. */
  private async check(presented: string, id: string, isHash: boolean): Promise<ApiKey | null> {
    const running = (async () => {
      for (const key of isHash ? this.plainKeys : this.hashedKeys) {
        const ok = await (
          isHash ? bcryptVerify(key.token, presented) : bcryptVerify(presented, key.token)
        ).catch(() => false);
        if (ok) return key;
      }
      return null;
    })().finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, running);
    const verdict = await running;
    if (this.verdicts.size >= CACHE_LIMIT) this.verdicts.clear();
    this.verdicts.set(id, verdict);
    return verdict;
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
