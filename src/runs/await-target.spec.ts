import { ManualClock } from '../../test/support/manual-clock';
import { TargetState } from '../domain/outcome';
import { awaitTarget, duration } from './await-target';

const LIMITS = { timeoutMs: 600_000, minDelayMs: 1_000, maxDelayMs: 5_000 };
const target = (wait: TargetState['wait']): TargetState => ({
  resource: 'instance i-0abc',
  state: 'running',
  before: 'stopped',
  wait,
});

describe('awaitTarget', () => {
  it('a waiter that ignores its abort is cut off after a short grace, as interrupted with the reason', async () => {
    const parent = new AbortController();
    const waiting = awaitTarget(
      target(() => new Promise(() => undefined)),
      LIMITS,
      parent.signal,
      new ManualClock(),
    );
    parent.abort(new Error('minion is shutting down'));
    expect(await waiting).toMatchObject({
      result: 'interrupted',
      state: null,
      detail: 'minion is shutting down',
    });
  });

  it('a waiter that throws is interrupted with its error, not a crash', async () => {
    const outcome = await awaitTarget(
      target(() => Promise.reject(new Error('socket hang up'))),
      LIMITS,
      new AbortController().signal,
      new ManualClock(),
    );
    expect(outcome).toMatchObject({ result: 'interrupted', detail: 'socket hang up' });
  });

  it.each([
    [90_000, '1m30s'],
    [600_000, '10m'],
    [5_400_000, '1h30m'],
    [500, '1s'],
    [0, '0s'],
  ])('duration(%d) = %s', (ms, text) => expect(duration(ms)).toBe(text));
});
