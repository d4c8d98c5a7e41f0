import { Injectable } from '@nestjs/common';
import * as bcrypt from 'bcryptjs';
import { createHash, timingSafeEqual } from 'node:crypto';
import { MinionConfig } from '../config/minion-config';

/** `$2a$`/`$2b$`/`$2y$`, a two-digit cost, then 53 characters of salt and hash. */
const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
/** Costs above this are refused unchecked: each one would burn seconds of CPU per request. */
const MAX_BCRYPT_COST = 14;
const CACHE_LIMIT = 1000;

/**
 * Checks an `X-Auth-Token` value against the configured token. Accepts the token itself
 * (compared in constant time) or a bcrypt hash of it, which is what clients of the original
 * minion send. bcrypt is deliberately slow, so verdicts on hashes are cached (bounded).
 */
@Injectable()
export class TokenVerifier {
  private readonly tokenDigest: Buffer;
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly config: MinionConfig) {
    this.tokenDigest = digest(config.token);
  }

  async verify(presented: string): Promise<boolean> {
    const match = BCRYPT_HASH.exec(presented);
    if (!match) return timingSafeEqual(digest(presented), this.tokenDigest);
    const known = this.verdicts.get(presented);
    if (known !== undefined) return known;
    const verdict =
      Number(match[1]) <= MAX_BCRYPT_COST && (await bcrypt.compare(this.config.token, presented));
    if (this.verdicts.size >= CACHE_LIMIT) this.verdicts.clear();
    this.verdicts.set(presented, verdict);
    return verdict;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
