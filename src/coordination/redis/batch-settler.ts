import { Logger } from '@nestjs/common';
import { KEEP_S, SETTLE } from './batch-scripts';
import type { RedisClient } from './redis-connections';

interface Pending {
  stateKey: string;
  runningKey: string;
  state: string;
  runToken: string;
  resolve: (answer: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * The settles of one batch (SETTLE), sent together: those asked for in one turn of the event
 * loop go in one call at its end. A minute of 100,000 batched occurrences made one call (and
 * one socket write here, one script run in Redis) per occurrence; attempts of a batch mostly end
 * in bursts, so this is a few per claim. Each caller gets the call's answer (the batch lock is
 * checked once for all of them) or its error, as from a call of its own.
 */
export class BatchSettler {
  private static readonly logger = new Logger(BatchSettler.name);
  private pending: Pending[] = [];

  constructor(
    private readonly redis: RedisClient,
    private readonly lockKey: string,
    private readonly token: string,
  ) {}

  settle(stateKey: string, runningKey: string, state: string, runToken: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ stateKey, runningKey, state, runToken, resolve, reject }) === 1) {
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const entries = this.pending;
    this.pending = [];
    const keys = [this.lockKey];
    const args: (string | number)[] = [this.token, KEEP_S];
    for (const e of entries) {
      keys.push(e.stateKey, e.runningKey);
      args.push(e.state, e.runToken);
    }
    SETTLE.run(this.redis, keys, args).then(
      (answer) => entries.forEach((e) => e.resolve(answer)),
      (err: unknown) => {
        // Said once for the whole call: each of its attempts then records its outcome unconfirmed.
        BatchSettler.logger.warn(
          `settling ${entries.length} occurrence(s) of ${this.lockKey} failed: ${(err as Error).message}`,
        );
        entries.forEach((e) => e.reject(err));
      },
    );
  }
}
