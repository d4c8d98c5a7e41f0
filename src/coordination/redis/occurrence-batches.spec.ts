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
