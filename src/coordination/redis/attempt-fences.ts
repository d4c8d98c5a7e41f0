import { Logger } from '@nestjs/common';
import { FENCED_PREFIX } from '../../domain/fence';
import { OccurrenceFence } from './occurrence-fence';
import { RedisConnections } from './redis-connections';

/** How long this replica remembers a job id it was fenced from. */
const FENCED_MEMORY_MS = 60_000;

/**
 * The fences of the BullMQ jobs this worker runs (its claim on each: BullMQ's lock and token), by
 * job id, and the job ids it was fenced from in the last minute. A lock BullMQ could not renew
 * ends its attempt's fence; BullMQ's complaints about a job this replica was fenced from are
 * not logged again.
 */
export class AttemptFences {
  /** The fence of each attempt running here (a failed lock renewal ends it). */
  private readonly running = new Map<string, OccurrenceFence>();
  /** BullMQ job ids this replica was fenced from in the last minute. */
  private readonly fenced = new Set<string>();

  constructor(
    private readonly redis: RedisConnections,
    /** The queue's: the warnings are the queue's. */
    private readonly logger: Logger,
  ) {}

  /**
   * The claim this worker holds on a job (BullMQ's lock, at `lockKey`, and its token) as the
   * fence of the attempt it runs now.
   */
  open(jobId: string, lockKey: string, token: string | undefined): OccurrenceFence {
    const fence = new OccurrenceFence(
      this.redis.commands,
      lockKey,
      token ?? '',
      Math.max(500, Math.min(2000, Math.floor(this.redis.settings.lockDurationMs / 4))),
    );
    this.running.set(jobId, fence);
    return fence;
  }

  /** The attempt of `jobId` ended. */
  delete(jobId: string): void {
    this.running.delete(jobId);
  }

  /**
   * The lock of these runs could not be renewed: it expired (this process was frozen, or cut off
   * from Redis, longer than lockDuration) and another replica may run the occurrence now.
   */
  lockRenewalFailed(jobIds: string[]): void {
    for (const id of jobIds) {
      const fence = this.running.get(id);
      if (!fence) continue;
      this.fenced.add(id);
      fence.lose(`its lock could not be renewed: this replica was stopped or cut off from Redis`);
    }
  }

  /** Remembers for a minute that this replica was fenced from `jobId` (see `isEcho`). */
  noteFenced(jobId: string, reason: string): void {
    this.logger.warn(`occurrence ${jobId}: ${FENCED_PREFIX} (${reason}); recorded as fenced`);
    this.fenced.add(jobId);
    setTimeout(() => this.fenced.delete(jobId), FENCED_MEMORY_MS).unref();
  }

  /**
   * BullMQ's complaints about a job this replica was fenced from (its lock is another's now)
   * repeat what the fenced record and the warning of `noteFenced` say.
   */
  isEcho(err: Error): boolean {
    const job = /(?:lock for job|Lock mismatch for job) (\S+?)\.?(?: |$)/.exec(err.message)?.[1];
    return job !== undefined && this.fenced.has(job);
  }
}
