import { claimLease } from './batch-scripts';
import { batchRetryDelayMs } from './occurrence-batches';

describe('batchRetryDelayMs: how long a failed batch waits before its next try', () => {
  it('a second for the first five tries (a hand-over or state not written while Redis blinked)', () => {
    expect([1, 2, 3, 4, 5].map(batchRetryDelayMs)).toEqual([1000, 1000, 1000, 1000, 1000]);
  });

  it('then doubling, up to a minute (a failure that lasts is not retried every second for ever)', () => {
    expect([6, 7, 8, 9, 10].map(batchRetryDelayMs)).toEqual([2000, 4000, 8000, 16000, 32000]);
    expect([11, 12, 1000, 1_000_000].map(batchRetryDelayMs)).toEqual([
      60_000, 60_000, 60_000, 60_000,
    ]);
  });
});

describe('claimLease: how long a claimed occurrence needs no fence check', () => {
  it("half the lock's time left, counted from before the claim was sent", () => {
    expect(claimLease(1000, 2000, 30_000)).toBe(2000);
  });

  it('at most a quarter of lockDuration (a short window for a lock key lost without expiring)', () => {
    expect(claimLease(1000, 5000, 5000)).toBe(2250);
  });

  it('none when Redis gave no time left (no expiry, or no key)', () => {
    expect(claimLease(1000, -1, 5000)).toBe(0);
    expect(claimLease(1000, -2, 5000)).toBe(0);
    expect(claimLease(1000, 0, 5000)).toBe(0);
  });
});
