/**
 * Port for "the last minute the scheduler enqueued": what catch-up starts from after downtime.
 * File implementation for one process; the Redis one is shared by every replica, so a restarted
 * cluster catches up once.
 */
export abstract class ScheduleMarker {
  /** Epoch ms of the last scheduled minute, or null if this org never scheduled. */
  abstract get(): Promise<number | null>;

  /** Records `minuteMs`; never moves the marker backwards. */
  abstract advance(minuteMs: number): Promise<void>;

  /**
   * Whether this process should record the missed occurrences of a catch-up starting after
   * `fromMinuteMs`. With one process, always; with many, exactly one of them.
   */
  async claimCatchUp(_fromMinuteMs: number): Promise<boolean> {
    return true;
  }

  /**
   * Whether this process enqueues the occurrences of the minutes after `fromMinuteMs` up to
   * `toMinuteMs`. With one process, always; with many, the first to ask. The others check
   * later that the marker reached `toMinuteMs`, and enqueue themselves if it did not (the
   * enqueuer died), so a dead enqueuer delays occurrences but loses none.
   */
  async claimEnqueue(_fromMinuteMs: number, _toMinuteMs: number): Promise<boolean> {
    return true;
  }

  /**
   * The enqueuer of the tick up to `toMinuteMs` is still adding its occurrences (said before
   * each chunk): stand-bys wait for it while it said so less than `ttlMs` ago, instead of
   * adding every occurrence a second time when a large tick takes longer than enqueueTakeover.
   */
  async enqueuing(_fromMinuteMs: number, _toMinuteMs: number, _ttlMs: number): Promise<void> {}

  /** Whether the enqueuer of that tick said `enqueuing` within its `ttlMs`. */
  async stillEnqueuing(_fromMinuteMs: number, _toMinuteMs: number): Promise<boolean> {
    return false;
  }
}
