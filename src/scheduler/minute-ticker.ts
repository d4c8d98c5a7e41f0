import { Clock, MINUTE_MS, minuteFloor, ScaledClock } from '../common/clock';

/** Calls back at every minute boundary. Tests replace it and call the scheduler's tick directly. */
export abstract class MinuteTicker {
  abstract start(onTick: () => void): void;
  abstract stop(): void;
}

/**
 * The ticker: a timer to each minute boundary of `clock` (the system clock; or the fault suite's
 * test clock, MINION_TEST_CLOCK, which may run faster than real time, so a replica started from
 * dist/main.js ticks without waiting for real minutes). It calls back first and arms the next
 * timer after: a `cron` job (what this was) works out its next date with luxon before calling
 * back, about 10 ms of CPU at every boundary that delayed every occurrence of the minute, and
 * far more on a loaded machine. A timer that fires before the boundary (the wall clock set
 * back) waits for it again rather than ticking early.
 */
export class ClockMinuteTicker extends MinuteTicker {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly clock: Clock) {
    super();
  }

  start(onTick: () => void): void {
    this.stopped = false;
    const arm = (boundary: number) => {
      if (this.stopped) return;
      this.timer = setTimeout(
        () => {
          if (this.clock.now().getTime() < boundary) return arm(boundary);
          onTick();
          arm(minuteFloor(this.clock.now()) + MINUTE_MS);
        },
        this.realDelayUntil(boundary) + 1,
      );
    };
    arm(minuteFloor(this.clock.now()) + MINUTE_MS);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private realDelayUntil(ms: number): number {
    if (this.clock instanceof ScaledClock) return this.clock.realDelayUntil(ms);
    return Math.max(0, ms - this.clock.now().getTime());
  }
}
