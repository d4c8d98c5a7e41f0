import { ScaledClock } from '../common/clock';
import { ClockMinuteTicker } from './minute-ticker';

describe('ClockMinuteTicker (the test clock of MINION_TEST_CLOCK)', () => {
  it('ticks at the minute boundaries of a clock running 60 times as fast (1 s per minute)', async () => {
    // Reads 10:00:59 now: the first boundary is one clock second (17 real ms) away.
    const clock = new ScaledClock(Date.parse('2026-01-05T10:00:59Z'), Date.now(), 60);
    const ticker = new ClockMinuteTicker(clock);
    const seen: string[] = [];
    const started = Date.now();
    await new Promise<void>((done) => {
      ticker.start(() => {
        seen.push(clock.now().toISOString().slice(11, 16));
        if (seen.length === 3) done();
      });
    });
    ticker.stop();
    // Each minute once, in order (a late timer shows as seconds past the minute, never a skip).
    expect(seen).toEqual(['10:01', '10:02', '10:03']);
    // Three clock minutes in about 2 real seconds, not three minutes.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('ClockMinuteTicker (the system clock)', () => {
  afterEach(() => jest.useRealTimers());

  it('ticks once at each boundary, and not before one when the wall clock was set back', () => {
    jest.useFakeTimers();
    let now = Date.parse('2026-01-05T10:00:55Z');
    const clock = { now: () => new Date(now) };
    const ticker = new ClockMinuteTicker(clock);
    const seen: string[] = [];
    ticker.start(() => seen.push(new Date(now).toISOString().slice(11, 19)));
    // The timer is due 5 s later; the wall clock was set back 3 s meanwhile: still 10:00:57.
    now += 2000;
    jest.advanceTimersByTime(5001);
    expect(seen).toEqual([]);
    now = Date.parse('2026-01-05T10:01:00Z');
    jest.advanceTimersByTime(3001);
    expect(seen).toEqual(['10:01:00']);
    now = Date.parse('2026-01-05T10:02:00Z');
    jest.advanceTimersByTime(60_001);
    expect(seen).toEqual(['10:01:00', '10:02:00']);
    ticker.stop();
    now = Date.parse('2026-01-05T10:03:00Z');
    jest.advanceTimersByTime(120_000);
    expect(seen).toHaveLength(2);
  });
});
