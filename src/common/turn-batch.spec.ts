import { TurnBatch } from './turn-batch';

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('TurnBatch', () => {
  it('holds pairs until the turn ends, then handles them in the order they came', async () => {
    const handled: string[] = [];
    const batch = new TurnBatch<string, number>((a, b) => handled.push(`${a}${b}`));
    batch.add('a', 1);
    batch.add('b', 2);
    await Promise.resolve(); // microtasks of the same turn: still held
    expect(handled).toEqual([]);
    expect(batch.size).toBe(2);
    await nextTurn();
    expect(handled).toEqual(['a1', 'b2']);
    expect(batch.size).toBe(0);
    batch.add('c', 3);
    await nextTurn();
    expect(handled).toEqual(['a1', 'b2', 'c3']);
  });

  it('drain handles what is held at once, and the scheduled turn then finds nothing twice', async () => {
    const handled: number[] = [];
    const batch = new TurnBatch<number, null>((n) => handled.push(n));
    batch.add(1, null);
    batch.add(2, null);
    batch.drain();
    expect(handled).toEqual([1, 2]);
    await nextTurn();
    expect(handled).toEqual([1, 2]);
  });

  it('a pair added while draining waits for its own turn (no unbounded loop in one turn)', async () => {
    const handled: number[] = [];
    const batch: TurnBatch<number, null> = new TurnBatch((n) => {
      handled.push(n);
      if (n < 3) batch.add(n + 1, null);
    });
    batch.add(1, null);
    await nextTurn();
    expect(handled).toEqual([1]);
    await nextTurn();
    await nextTurn();
    expect(handled).toEqual([1, 2, 3]);
  });
});
