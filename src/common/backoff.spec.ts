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

  it('withDeadline: a task answering its timeout within the grace is heard; shutdown gets none', async () => {
    const answersAbort = (signal: AbortSignal) =>
      new Promise<string>((resolve) =>
        signal.addEventListener('abort', () => setTimeout(() => resolve('partial'), 5)),
      );
    expect(await withDeadline(answersAbort, 10, 'run', undefined, 1_000)).toBe('partial');
    await expect(withDeadline(answersAbort, 10, 'run')).rejects.toThrow('timed out');
    const failsOnAbort = (signal: AbortSignal) =>
      new Promise<string>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('AbortError'))),
      );
    await expect(withDeadline(failsOnAbort, 10, 'run', undefined, 1_000)).rejects.toThrow(
      'run timed out after 10 ms',
    );
    const parent = new AbortController();
    const pending = withDeadline(answersAbort, 60_000, 'run', parent.signal, 1_000);
    parent.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
  });
});
