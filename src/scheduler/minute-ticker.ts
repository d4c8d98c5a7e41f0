import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { MINUTE_MS, minuteFloor, ScaledClock } from '../common/clock';

/** Calls back at every minute boundary. Tests replace it and call the scheduler's tick directly. */
export abstract class MinuteTicker {
  abstract start(onTick: () => void): void;
  abstract stop(): void;
}

const JOB_NAME = 'minion-minute-tick';

/** The real ticker: a `@nestjs/schedule` cron job at second 0 of every minute, in UTC. */
@Injectable()
export class CronMinuteTicker extends MinuteTicker {
  constructor(private readonly registry: SchedulerRegistry) {
    super();
  }

  start(onTick: () => void): void {
    const job = CronJob.from({ cronTime: '0 * * * * *', onTick, timeZone: 'UTC' });
    this.registry.addCronJob(JOB_NAME, job);
    job.start();
  }

  stop(): void {
    if (!this.registry.doesExist('cron', JOB_NAME)) return;
    this.registry.getCronJob(JOB_NAME).stop();
    this.registry.deleteCronJob(JOB_NAME);
  }
}

/**
 * The ticker of a test clock (MINION_TEST_CLOCK, see ScaledClock): at every minute boundary of
 * that clock, which may run faster than real time, so a replica started from dist/main.js in the
 * fault suite ticks without waiting for real minutes.
 */
export class ClockMinuteTicker extends MinuteTicker {
  private timer?: NodeJS.Timeout;

  constructor(private readonly clock: ScaledClock) {
    super();
  }

  start(onTick: () => void): void {
    const next = () => {
      const boundary = minuteFloor(this.clock.now()) + MINUTE_MS;
      this.timer = setTimeout(
        () => {
          onTick();
          next();
        },
        this.clock.realDelayUntil(boundary) + 1,
      );
    };
    next();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
