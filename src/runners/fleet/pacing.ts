import { pause } from '../../common/pause';

/** A token bucket as AWS describes its API throttling: `capacity` tokens, `refillPerSecond` back. */
export interface Bucket {
  capacity: number;
  refillPerSecond: number;
}

/**
 * Client-side pacing of the calls a fleet makes, so that one occurrence over a thousand
 * resources stays inside the service's published request-rate buckets instead of meeting its
 * throttling. Buckets are per account and API (`ec2:StartInstances`), shared by every run of this
 * process; `take` waits (abortably) until the tokens are there. The SDK's adaptive retry mode and
 * the fleet's own retry of throttling errors remain for what pacing cannot know (other clients of
 * the same account, other replicas).
 */
export class Pacing {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly specs: Readonly<Record<string, Bucket>>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for `tokens` of `api`'s bucket in `account` (at once for an API without a bucket). */
  async take(account: string, api: string, tokens: number, signal?: AbortSignal): Promise<void> {
    const spec = this.specs[api];
    if (!spec) return;
    const key = `${account}\u0000${api}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(
        { ...spec, refillPerSecond: spec.refillPerSecond * PACED_SHARE },
        this.now,
      );
      this.buckets.set(key, bucket);
    }
    await bucket.take(tokens, signal);
  }
}

/**
 * The share of a published refill rate pacing counts on. A call takes its tokens here before it
 * is sent, and AWS takes them when it arrives: once both buckets are empty, AWS's refills from a
 * later moment, so pacing at the full rate keeps it a few tokens ahead of AWS (measured against
 * the fake: 9 throttled answers when a drained bucket was used again 12 s later). Counting on 90%
 * of the rate leaves AWS the difference.
 */
export const PACED_SHARE = 0.9;

/** One bucket. Callers queue in order; a request larger than the bucket takes it whole, then waits. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: Bucket,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = spec.capacity;
    this.last = now();
  }

  take(tokens: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(Math.min(tokens, this.spec.capacity), signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.spec.capacity,
      this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond,
    );
    this.last = now;
  }

  private async wait(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.refill();
      if (this.tokens >= tokens) {
        this.tokens -= tokens;
        return;
      }
      const ms = Math.ceil(((tokens - this.tokens) / this.spec.refillPerSecond) * 1000);
      // Looked at again at least every quarter second (the bucket's clock is injectable).
      if (!(await pause(Math.min(Math.max(1, ms), RECHECK_MS), signal))) {
        throw signal?.reason ?? new Error('aborted');
      }
    }
  }
}

const RECHECK_MS = 250;

/**
 * The buckets AWS publishes for the calls fleets make (EC2 API reference, "Request throttling":
 * request tokens per API, and resource tokens per instance for StartInstances and
 * StopInstances). Services that publish none (RDS, ECS, Auto Scaling, the tagging API) get a
 * modest bucket; throttling beyond it is retried.
 */
export const AWS_BUCKETS: Record<string, Bucket> = {
  'ec2:DescribeInstances': { capacity: 100, refillPerSecond: 20 },
  'ec2:StartInstances': { capacity: 50, refillPerSecond: 5 },
  'ec2:StopInstances': { capacity: 50, refillPerSecond: 5 },
  'ec2:RebootInstances': { capacity: 50, refillPerSecond: 5 },
  /** Resource tokens: one per instance the call names. */
  'ec2:StartInstances#instances': { capacity: 1000, refillPerSecond: 2 },
  'ec2:StopInstances#instances': { capacity: 1000, refillPerSecond: 20 },
  'ec2:RebootInstances#instances': { capacity: 1000, refillPerSecond: 20 },
  'tagging:GetResources': { capacity: 10, refillPerSecond: 5 },
  'rds:Describe': { capacity: 20, refillPerSecond: 10 },
  'rds:Act': { capacity: 10, refillPerSecond: 5 },
  'autoscaling:Describe': { capacity: 20, refillPerSecond: 10 },
  'autoscaling:Act': { capacity: 10, refillPerSecond: 5 },
  'ecs:Describe': { capacity: 20, refillPerSecond: 10 },
  'ecs:UpdateService': { capacity: 10, refillPerSecond: 5 },
};
