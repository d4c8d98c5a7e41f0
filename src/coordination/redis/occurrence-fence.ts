import type { RedisClient } from './redis-connections';
import { withTimeout } from '../../common/timeout';
import { Fence, FencedError } from '../../domain/fence';
import { LuaScript } from './lua-script';

/**
 * Still ours? In one atomic step: the BullMQ lock of the occurrence's job still holds the token
 * this worker took it with. Once the lock expired (a frozen replica renews nothing) BullMQ's
 * stalled check gives the occurrence to another worker, whose moveToActive writes its own token
 * there; a missing key means the same, a moment earlier. Returns 1, or 0 with what it found.
 */
export const HOLDS = new LuaScript(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then return 1 end
if v then return 'held by another worker' end
return 'the lock expired'`);

/**
 * The claim of one BullMQ job (its lock key and the worker's token) as a Fence. `check` runs
 * the Lua compare above; `lose` (a failed lock renewal) aborts the attempt at once. A check that
 * gets no answer within `timeoutMs` (Redis unreachable) refuses to act without calling the
 * claim lost: the occurrence is settled by the next attempt, here or on another replica.
 *
 * `lease`: while it holds a check needs no round trip. A batch's claim read the lock's remaining
 * time in the same atomic step that found it ours (claim-lease.ts), and nobody else can take a
 * lock before it expires, so a check inside that time could only answer "ours" (unless the key
 * itself was lost: see docs/operations.md). A lock renewal that failed still fences at once
 * (`lose`), and while the connection is not ready the check is sent (and fails) anyway.
 */
export class OccurrenceFence implements Fence {
  private readonly controller = new AbortController();
  private lostReason?: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly lockKey: string,
    private readonly token: string,
    private readonly timeoutMs: number,
    private readonly lease?: { holds(): boolean },
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get lost(): string | undefined {
    return this.lostReason;
  }

  /** The claim is known lost: every check fails from now on and the attempt's signal aborts. */
  lose(reason: string): void {
    if (this.lostReason !== undefined) return;
    this.lostReason = reason;
    this.controller.abort(new FencedError(reason));
  }

  async check(): Promise<void> {
    if (this.lostReason !== undefined) throw new FencedError(this.lostReason);
    // Not through an outage: with Redis away the attempt does not act, as without a lease (a
    // Redis that comes back without its data has forgotten the claim, and runs it again).
    if (this.lease?.holds() && this.redis.status === 'ready') return;
    let answer: unknown;
    try {
      answer = await withTimeout(
        HOLDS.run(this.redis, [this.lockKey], [this.token]),
        this.timeoutMs,
        'fence check',
      );
    } catch (err) {
      throw new FencedError(`Redis did not answer: ${(err as Error).message}`, false);
    }
    if (answer === 1) return;
    // Checked again after the await: a renewal may have failed meanwhile (same reason either way).
    const reason = `${String(answer)} before this replica acted`;
    this.lose(reason);
    throw new FencedError(this.lostReason ?? reason);
  }
}
