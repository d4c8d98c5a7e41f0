import { ScheduleIndex } from './schedule-index';

describe('ScheduleIndex', () => {
  it('returns exactly the keys due at a minute, once', () => {
    const index = new ScheduleIndex();
    index.set('a', 60_000);
    index.set('b', 60_000);
    index.set('c', 120_000);
    expect(index.take(60_000).sort()).toEqual(['a', 'b']);
    expect(index.take(60_000)).toEqual([]);
    expect(index.size).toBe(1);
    expect(index.slotOf('c')).toBe(120_000);
  });

  it('moves a key when it is set again, and forgets it on null or remove', () => {
    const index = new ScheduleIndex();
    index.set('a', 60_000);
    index.set('a', 180_000);
    expect(index.take(60_000)).toEqual([]);
    index.set('a', null);
    expect(index.size).toBe(0);
    index.set('b', 60_000);
    index.remove('b');
    expect(index.take(60_000)).toEqual([]);
  });

  it('lists bucket minutes before a limit, oldest first', () => {
    const index = new ScheduleIndex();
    for (const [k, m] of [
      ['a', 300_000],
      ['b', 60_000],
      ['c', 600_000],
      ['d', 120_000],
    ] as const)
      index.set(k, m);
    expect(index.minutesBefore(400_000)).toEqual([60_000, 120_000, 300_000]);
  });

  it('takes a bucket in time independent of the number of other keys', () => {
    const index = new ScheduleIndex();
    for (let i = 0; i < 100_000; i++) index.set(`k${i}`, (1 + (i % 1000)) * 60_000 * 10);
    const started = process.hrtime.bigint();
    const due = index.take(600_000);
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    expect(due).toHaveLength(100);
    expect(micros).toBeLessThan(20_000);
  });
});
