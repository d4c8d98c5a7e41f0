import { Slots } from './slots';

describe('Slots', () => {
  it('lets `size` holders in, queues the rest in order, and counts a double release once', async () => {
    const slots = new Slots(1);
    const first = await slots.take();
    const order: string[] = [];
    const second = slots.take().then((release) => {
      order.push('second');
      return release;
    });
    const third = slots.take().then((release) => {
      order.push('third');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // a second call must not free a second slot
    const releaseSecond = await second;
    await Promise.resolve();
    expect(order).toEqual(['second']);
    releaseSecond();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    // Everything released: exactly one slot is free again.
    await slots.take();
    let fourthIn = false;
    void slots.take().then(() => (fourthIn = true));
    await new Promise((r) => setImmediate(r));
    expect(fourthIn).toBe(false);
  });

  it('tryTake takes a free slot at once, and gives null rather than waiting when none is', async () => {
    const slots = new Slots(1);
    const first = slots.tryTake();
    expect(first).not.toBeNull();
    expect(slots.tryTake()).toBeNull();
    first?.();
    const again = slots.tryTake();
    expect(again).not.toBeNull();
    let waited = false;
    void slots.take().then(() => (waited = true));
    again?.();
    await new Promise((r) => setImmediate(r));
    expect(waited).toBe(true);
    expect(slots.tryTake()).toBeNull();
  });
});
