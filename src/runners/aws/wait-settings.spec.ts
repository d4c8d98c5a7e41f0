import { InvalidFieldError } from '../../common/errors';
import { jobWaitLimits, waitSettings } from './wait-settings';

const DEFAULTS = { timeoutMs: 600_000, minDelayMs: 5_000, maxDelayMs: 30_000 };

describe("waitSettings (a runner's config)", () => {
  it('keeps the type defaults, and takes Go durations for each key', () => {
    expect(waitSettings(undefined, DEFAULTS)).toEqual(DEFAULTS);
    expect(
      waitSettings({ waitTimeout: '20m', waitPollMin: '10s', waitPollMax: '1m' }, DEFAULTS),
    ).toEqual({ timeoutMs: 1_200_000, minDelayMs: 10_000, maxDelayMs: 60_000 });
  });

  it.each([
    [
      { waitTimeout: 'ten minutes' },
      /waitTimeout: "ten minutes" must be a duration from 10ms to 6h/,
    ],
    [{ waitTimeout: '7h' }, /waitTimeout: "7h" must be a duration/],
    [{ waitPollMin: 5 }, /waitPollMin: 5 must be a duration/],
    [
      { waitPollMin: '1m', waitPollMax: '30s' },
      /waitPollMin \(60000 ms\) is more than waitPollMax/,
    ],
    [{ waitTimeout: '5s' }, /waitTimeout \(5000 ms\) must be more than waitPollMin/],
    [
      { pollEvery: '5s' },
      /pollEvery: unknown key \(allowed: waitTimeout, waitPollMin, waitPollMax\)/,
    ],
    [{ endpointTemplate: 'http://x', token: 't' }, /endpointTemplate, token: not used.*AWS SDK/],
  ])('refuses %j, naming the key', (config, message) => {
    expect(() => waitSettings(config, DEFAULTS)).toThrow(message);
  });
});

describe("jobWaitLimits (a job's details)", () => {
  it('waits by default with the runner limits; wait "false" turns it off', () => {
    expect(jobWaitLimits({}, DEFAULTS)).toEqual(DEFAULTS);
    expect(jobWaitLimits({ wait: 'true' }, DEFAULTS)).toEqual(DEFAULTS);
    expect(jobWaitLimits({ wait: 'false', wait_timeout: '5m' }, DEFAULTS)).toBeNull();
  });

  it('wait_timeout replaces the timeout, and a short one shortens the polls too', () => {
    expect(jobWaitLimits({ wait_timeout: '20m' }, DEFAULTS)).toEqual({
      ...DEFAULTS,
      timeoutMs: 1_200_000,
    });
    expect(jobWaitLimits({ wait_timeout: '4s' }, DEFAULTS)).toEqual({
      timeoutMs: 4_000,
      minDelayMs: 2_000,
      maxDelayMs: 2_000,
    });
  });

  it.each([
    [{ wait: 'yes' }, 'job.details.wait'],
    [{ wait_timeout: '500ms' }, 'job.details.wait_timeout'],
    [{ wait_timeout: '1d' }, 'job.details.wait_timeout'],
  ])('refuses %j as an InvalidFieldError on %s', (details, field) => {
    try {
      jobWaitLimits(details, DEFAULTS);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidFieldError);
      expect((err as InvalidFieldError).message).toContain(field);
    }
  });
});
