import type { RecordedRequest } from './fake-aws';
import { indexed } from './fake-wire';

export interface BucketSpec {
  capacity: number;
  refillPerSecond: number;
}

/**
 * EC2's published token buckets, per account and Region, from the Amazon EC2 API Reference,
 * "Request throttling" (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/throttling.html,
 * now also the EC2 Developer Guide's "Request throttling for the Amazon EC2 API"): every call
 * takes one request token of its API's bucket; the instance actions also take one resource token
 * per instance they name, from a bucket of their own.
 */
export const EC2_THROTTLING: Record<string, { request: BucketSpec; resource?: BucketSpec }> = {
  'ec2:DescribeInstances': { request: { capacity: 100, refillPerSecond: 20 } },
  'ec2:StartInstances': {
    request: { capacity: 50, refillPerSecond: 5 },
    resource: { capacity: 1000, refillPerSecond: 2 },
  },
  'ec2:StopInstances': {
    request: { capacity: 50, refillPerSecond: 5 },
    resource: { capacity: 1000, refillPerSecond: 20 },
  },
  'ec2:RebootInstances': {
    request: { capacity: 50, refillPerSecond: 5 },
    resource: { capacity: 1000, refillPerSecond: 20 },
  },
};

/**
 * Token buckets per API as `table` says (a copy of EC2_THROTTLING; edit it to try other limits).
 * A call is admitted only when every bucket it draws on has its tokens; a refused call takes
 * none. Tokens come back continuously at the refill rate, on the `now` clock (milliseconds;
 * replace it to freeze time).
 */
export class RateBuckets {
  table: Record<string, { request: BucketSpec; resource?: BucketSpec }> =
    structuredClone(EC2_THROTTLING);
  now: () => number = () => performance.now();
  private readonly levels = new Map<string, { tokens: number; at: number }>();

  /** Full buckets again, the published table, the real clock. */
  reset(): void {
    this.levels.clear();
    this.table = structuredClone(EC2_THROTTLING);
    this.now = () => performance.now();
  }

  /** Takes the tokens the request needs; false, taking nothing, when a bucket lacks them. */
  admit(r: RecordedRequest): boolean {
    const spec = this.table[`${r.service}:${r.action}`];
    if (!spec) return true;
    const key = `${r.service}:${r.action}`;
    const request = this.level(key, spec.request);
    const named = indexed(r.params, 'InstanceId').length;
    const resource = spec.resource ? this.level(`${key}#resource`, spec.resource) : undefined;
    if (request.tokens < 1 || (resource && resource.tokens < named)) return false;
    request.tokens -= 1;
    if (resource) resource.tokens -= named;
    return true;
  }

  /** Tokens in the bucket of `key` (`ec2:StartInstances`) now, or of its resource bucket. */
  tokens(key: string, bucket: 'request' | 'resource' = 'request'): number {
    const spec = this.table[key]?.[bucket];
    if (!spec) return Infinity;
    return this.level(bucket === 'request' ? key : `${key}#resource`, spec).tokens;
  }

  private level(key: string, spec: BucketSpec): { tokens: number; at: number } {
    const now = this.now();
    let level = this.levels.get(key);
    if (!level) {
      level = { tokens: spec.capacity, at: now };
      this.levels.set(key, level);
    }
    level.tokens = Math.min(
      spec.capacity,
      level.tokens + ((now - level.at) / 1000) * spec.refillPerSecond,
    );
    level.at = now;
    return level;
  }
}
