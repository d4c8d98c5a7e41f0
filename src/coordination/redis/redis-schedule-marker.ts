import { REPLICA } from '../../common/replica';
import { ScheduleMarker } from '../schedule-marker';

/** Claims outlive any tick they are about. */
const CLAIM_TTL_MS = 3_600_000;
import { RedisConnections } from './redis-connections';

/** Moves the marker forward only: concurrent replicas cannot move it back. */
const ADVANCE = `
local current = tonumber(redis.call('GET', KEYS[1]))
if not current or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1`;

/**
 * The last scheduled minute, shared by every replica, so a restarted cluster catches up from
 * where the cluster stopped, once.
 */
export class RedisScheduleMarker extends ScheduleMarker {
  private readonly key: string;

  constructor(private readonly redis: RedisConnections) {
    super();
    this.key = `${redis.settings.prefix}:scheduler:last-minute`;
  }

  async get(): Promise<number | null> {
    await this.redis.ready();
    const value = await this.redis.commands.get(this.key);
    return value === null ? null : Number(value);
  }

  async advance(minuteMs: number): Promise<void> {
    await this.redis.commands.eval(ADVANCE, 1, this.key, String(minuteMs));
  }

  /** One replica records the missed occurrences of a catch-up; the others skip it. */
  override async claimCatchUp(fromMinuteMs: number): Promise<boolean> {
    return this.claim(`catch-up:${fromMinuteMs}`);
  }

  /** One replica enqueues a tick's occurrences (the original's `lockProvider` lock, per tick). */
  override async claimEnqueue(fromMinuteMs: number, toMinuteMs: number): Promise<boolean> {
    return this.claim(`enqueue:${fromMinuteMs}-${toMinuteMs}`);
  }

  override async enqueuing(fromMinuteMs: number, toMinuteMs: number, ttlMs: number): Promise<void> {
    await this.redis.commands.set(
      this.enqueuingKey(fromMinuteMs, toMinuteMs),
      REPLICA,
      'PX',
      ttlMs,
    );
  }

  override async stillEnqueuing(fromMinuteMs: number, toMinuteMs: number): Promise<boolean> {
    return (await this.redis.commands.exists(this.enqueuingKey(fromMinuteMs, toMinuteMs))) === 1;
  }

  private enqueuingKey(fromMinuteMs: number, toMinuteMs: number): string {
    return `${this.redis.settings.prefix}:scheduler:enqueuing:${fromMinuteMs}-${toMinuteMs}`;
  }

  private async claim(what: string): Promise<boolean> {
    const key = `${this.redis.settings.prefix}:scheduler:${what}`;
    return (await this.redis.commands.set(key, REPLICA, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }
}
