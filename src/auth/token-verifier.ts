import { Injectable } from '@nestjs/common';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHash, timingSafeEqual } from 'node:crypto';
import { MinionSettings } from '../config/settings';

/** `$2a$`/`$2b$`/`$2y$`, a two-digit cost, then 53 characters of salt and hash. */
const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const CACHE_LIMIT = 1000;

/** `busy`: a bcrypt check would exceed the concurrency bound; the client should retry. */
export type Verdict = 'valid' | 'invalid' | 'busy';

/**
 * Checks an `X-Auth-Token` value against the configured token. Accepts the token itself
 * (compared in constant time) or a bcrypt hash of it, which is what clients of the original
 * minion send.
 *
 * bcrypt is deliberately slow, and a hash is checked before the client is known to be anyone, so
 * its cost to the server is bounded three ways: hashes costlier than `auth.maxBcryptCost` are
 * refused unchecked; at most `auth.bcryptConcurrency` checks run at once (beyond that the answer
 * is `busy`, never a queue that grows); and checks run on libuv's thread pool (@node-rs/bcrypt,
 * native), so the event loop, and with it every other request and probe, is never blocked.
 * Verdicts are cached (bounded), so a client sending the same hash pays once.
 */
@Injectable()
export class TokenVerifier {
  private readonly tokenDigest: Buffer;
  private readonly verdicts = new Map<string, boolean>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly maxCost: number;
  private readonly concurrency: number;

  private readonly token: string;

  constructor(settings: MinionSettings) {
    this.token = settings.auth.token;
    this.tokenDigest = digest(this.token);
    this.maxCost = settings.auth.maxBcryptCost;
    this.concurrency = settings.auth.bcryptConcurrency;
  }

  async verify(presented: string): Promise<Verdict> {
    const match = BCRYPT_HASH.exec(presented);
    if (!match) return timingSafeEqual(digest(presented), this.tokenDigest) ? 'valid' : 'invalid';
    const known = this.verdicts.get(presented);
    if (known !== undefined) return known ? 'valid' : 'invalid';
    if (Number(match[1]) > this.maxCost) return 'invalid';
    // The same hash already being checked (a client's parallel requests): share the check.
    let check = this.inFlight.get(presented);
    if (!check) {
      if (this.inFlight.size >= this.concurrency) return 'busy';
      check = this.check(presented);
    }
    return (await check) ? 'valid' : 'invalid';
  }

  private async check(hash: string): Promise<boolean> {
    const running = bcryptVerify(this.token, hash)
      .catch(() => false)
      .finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, running);
    const verdict = await running;
    if (this.verdicts.size >= CACHE_LIMIT) this.verdicts.clear();
    this.verdicts.set(hash, verdict);
    return verdict;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
