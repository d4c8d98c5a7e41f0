import { retryDelays, retrying } from './backoff';
import { settledWithin, TimeoutError, withDeadline, withTimeout } from './timeout';

describe('backoff', () => {
  it('delays double from the base and stop at the cap', () => {
    expect(retryDelays(6, { baseMs: 100, maxMs: 1000 })).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('retrying: tries until the task succeeds, reporting each retry', async () => {
    let tries = 0;
    const retries: number[] = [];
    const result = await retrying(
      async () => {
        if (++tries < 3) throw new Error(`try ${tries}`);
        return 'ok';
      },
      { delays: [1, 2, 3], onRetry: (_err, delay) => retries.push(delay) },
    );
    expect(result).toBe('ok');
    expect(retries).toEqual([1, 2]);
  });

  it('retrying: throws the last error when the delays run out', async () => {
    let tries = 0;
    await expect(
      retrying(() => Promise.reject(new Error(`try ${++tries}`)), { delays: [0, 0] }),
    ).rejects.toThrow('try 3');
  });

  it('retrying: an error that is not retryable is thrown at once', async () => {
    let tries = 0;
    await expect(
      retrying(() => Promise.reject(new Error(`try ${++tries}`)), {
        delays: [0, 0, 0],
        retryable: (err) => (err as Error).message !== 'try 2',
      }),
    ).rejects.toThrow('try 2');
    expect(tries).toBe(2);
  });
});

describe('timeouts', () => {
  const never = () => new Promise<never>(() => undefined);

  it('withTimeout: the value in time, a TimeoutError naming the wait after', async () => {
    await expect(withTimeout(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
    const late = withTimeout(never(), 10, 'repository check');
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    await expect(late).rejects.toThrow('repository check: no answer within 10 ms');
  });

  it('settledWithin: true when settled (even rejected), false when not', async () => {
    expect(await settledWithin(Promise.reject(new Error('x')), 50)).toBe(true);
    expect(await settledWithin(never(), 10)).toBe(false);
  });

  it('withDeadline: aborts the task at the deadline or with its parent, and settles', async () => {
    let seen: AbortSignal | undefined;
    await expect(
      withDeadline(
        (signal) => {
          seen = signal;
          return never();
        },
        10,
        'run',
      ),
    ).rejects.toThrow('run timed out after 10 ms');
    expect(seen?.aborted).toBe(true);
    const parent = new AbortController();
    const pending = withDeadline(() => never(), 60_000, 'run', parent.signal);
    parent.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
  });
});
