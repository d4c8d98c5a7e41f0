/**
 * A counting semaphore whose holder may hand its slot back before its task ends (an attempt
 * that has acted and now only waits for an outcome). p-limit and the like tie a slot to the
 * whole task, which is exactly what this must not do.
 */
export class Slots {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Resolves once a slot is free, with its release function (safe to call more than once). */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.release();
  }

  /** A slot free right now, or null (none is waited for). */
  tryTake(): (() => void) | null {
    if (this.free === 0) return null;
    this.free--;
    return this.release();
  }

  private release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.free++;
    };
  }
}
