/**
 * Next fire minute of every scheduled job, kept in per-minute buckets. A tick takes the bucket of
 * its minute, so its cost follows the number of due jobs, not the number of cached jobs; a job's
 * next minute is recomputed only when it fired or changed.
 */
export class ScheduleIndex {
  private readonly buckets = new Map<number, Set<string>>();
  private readonly slots = new Map<string, number>();

  get size(): number {
    return this.slots.size;
  }

  /** Places `key` at `minuteMs`, or removes it when null. */
  set(key: string, minuteMs: number | null): void {
    this.remove(key);
    if (minuteMs !== null) this.add(key, minuteMs);
  }

  /** Places `key`, which is not placed yet, at `minuteMs` (a start places 100k jobs). */
  add(key: string, minuteMs: number): void {
    let bucket = this.buckets.get(minuteMs);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(minuteMs, bucket);
    }
    bucket.add(key);
    this.slots.set(key, minuteMs);
  }

  remove(key: string): void {
    const minute = this.slots.get(key);
    if (minute === undefined) return;
    this.slots.delete(key);
    const bucket = this.buckets.get(minute);
    bucket?.delete(key);
    if (bucket?.size === 0) this.buckets.delete(minute);
  }

  /** Removes and returns every key due at `minuteMs`. */
  take(minuteMs: number): string[] {
    const bucket = this.buckets.get(minuteMs);
    if (!bucket) return [];
    this.buckets.delete(minuteMs);
    const keys = [...bucket];
    for (const key of keys) this.slots.delete(key);
    return keys;
  }

  /**
   * Bucket minutes earlier than `limitMs`, oldest first. Scans every bucket: used only when
   * catching up after downtime longer than the catch-up window, never on a normal tick.
   */
  minutesBefore(limitMs: number): number[] {
    return [...this.buckets.keys()].filter((m) => m < limitMs).sort((a, b) => a - b);
  }

  slotOf(key: string): number | undefined {
    return this.slots.get(key);
  }
}
