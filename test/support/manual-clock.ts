import { Clock } from '../../src/common/clock';
import { MinuteTicker } from '../../src/scheduler/minute-ticker';

/** A clock that only moves when the test says so. */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: string | Date = '2026-01-05T10:00:00Z') {
    super();
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(iso: string | Date): void {
    this.current = new Date(iso).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Never ticks on its own: tests call SchedulerService.tick() after moving the clock. */
export class ManualTicker extends MinuteTicker {
  started = false;
  private onTick?: () => void;

  start(onTick: () => void): void {
    this.started = true;
    this.onTick = onTick;
  }

  stop(): void {
    this.started = false;
  }

  /** Calls back as the real ticker does at a minute boundary (fire and forget). */
  fire(): void {
    if (this.started) this.onTick?.();
  }
}

/**
 * Polls `condition` until it holds (for work finishing on the event loop, not for wall-clock
 * minutes). The deadline is generous: on a loaded 2-core machine, work of milliseconds can take
 * seconds; a condition that holds returns at once whatever the deadline.
 */
export const WAIT_DEADLINE_MS = 30_000;

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = WAIT_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
