/**
 * Pairs of values held until the current turn of the event loop ends, then handed to `handle`
 * in the order they came (or at once, by `drain`). What is worth doing right after the work at
 * hand but not in front of it: at a minute boundary the minute's runs start first and their
 * records and metric observations follow, instead of each start waiting behind the last one's.
 *
 * Two arrays, not an object per pair: thousands of held pairs are two blocks the garbage
 * collector does not copy one by one while they wait.
 */
export class TurnBatch<A, B> {
  private firsts: A[] = [];
  private seconds: B[] = [];
  private scheduled = false;

  constructor(private readonly handle: (first: A, second: B) => void) {}

  /** How many pairs are held. */
  get size(): number {
    return this.firsts.length;
  }

  add(first: A, second: B): void {
    this.firsts.push(first);
    this.seconds.push(second);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Handles every held pair now, oldest first (a pair added meanwhile waits for its own turn). */
  drain(): void {
    this.scheduled = false;
    const firsts = this.firsts;
    const seconds = this.seconds;
    if (firsts.length === 0) return;
    this.firsts = [];
    this.seconds = [];
    for (let i = 0; i < firsts.length; i++) this.handle(firsts[i], seconds[i]);
  }
}
