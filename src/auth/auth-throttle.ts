import { Injectable } from '@nestjs/common';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AuthSettings } from './auth.config';

/**
 * Counts failed authentications per client address (rate-limiter-flexible, in memory): after
 * `auth.failureLimit` failures within `auth.failureWindow`, that address gets 429 until the window
 * passes, without its tokens being checked at all. Behind a proxy, set `trustProxy` so the
 * address is the client's, not the proxy's.
 */
@Injectable()
export class AuthThrottle {
  private readonly limiter: RateLimiterMemory;
  private readonly limit: number;

  constructor(settings: AuthSettings) {
    this.limit = settings.failureLimit;
    const windowMs = settings.failureWindowMs;
    this.limiter = new RateLimiterMemory({
      points: this.limit,
      duration: Math.max(1, Math.ceil(windowMs / 1000)),
    });
  }

  /** Seconds until `address` may try again, or 0 when it may try now. */
  async blockedFor(address: string): Promise<number> {
    const res = await this.limiter.get(address);
    return res && res.consumedPoints >= this.limit ? Math.ceil(res.msBeforeNext / 1000) || 1 : 0;
  }

  async failed(address: string): Promise<void> {
    await this.limiter.penalty(address, 1);
  }
}
