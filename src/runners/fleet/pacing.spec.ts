import { Pacing, TokenBucket } from './pacing';

describe('TokenBucket', () => {
  it('gives its capacity at once, then refillPerSecond each second', async () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 1000 }, () => now);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) await bucket.take(1);
    expect(Date.now() - t0).toBeLessThan(50); // the burst does not wait
    now += 5; // 5 ms later: 5 tokens back
    await bucket.take(5);
    // Empty now: the next token needs 1 ms of the bucket's clock, so it waits on real time too.
    const waiting = bucket.take(1);
    now += 1;
    await waiting;
  });

  it('serves callers in order, and a call larger than the bucket takes it whole', async () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1000 }); // the system's clock
    const order: number[] = [];
    const a = bucket.take(5).then(() => order.push(1)); // capped at 2: takes the bucket whole
    const b = bucket.take(1).then(() => order.push(2)); // waits ~1 ms for a refilled token
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
  });

  it('an aborted wait rejects and frees its turn', async () => {
    const now = 0;
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 0.001 }, () => now);
    await bucket.take(1);
    const controller = new AbortController();
    const waiting = bucket.take(1, controller.signal);
    controller.abort(new Error('shutdown'));
    await expect(waiting).rejects.toThrow('shutdown');
  });
});

describe('Pacing', () => {
  it('keeps one bucket per account and API; APIs without one are not paced', async () => {
    let now = 0;
    const pacing = new Pacing(
      { 'ec2:StartInstances': { capacity: 1, refillPerSecond: 0.001 } },
      () => now,
    );
    await pacing.take('a', 'ec2:StartInstances', 1);
    await pacing.take('b', 'ec2:StartInstances', 1); // another account: its own bucket
    await pacing.take('a', 'ec2:DescribeSomething', 1000); // no bucket: at once
    let done = false;
    const waiting = pacing.take('a', 'ec2:StartInstances', 1).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    now += 2_000_000; // 2,000 s: 1.8 tokens at 90% of the rate
    await waiting;
    expect(done).toBe(true);
  });

  it('counts on 90% of the published refill rate, so that AWS, which takes tokens later, has them', async () => {
    let now = 0;
    const pacing = new Pacing(
      { 'ec2:StopInstances': { capacity: 10, refillPerSecond: 10 } },
      () => now,
    );
    await pacing.take('a', 'ec2:StopInstances', 10);
    let done = false;
    const waiting = pacing.take('a', 'ec2:StopInstances', 9).then(() => (done = true));
    now += 999; // 9.99 tokens at the published rate, 8.99 at 90% of it
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    now += 2; // 9.01 at 90%
    await waiting;
    expect(done).toBe(true);
  });
});
