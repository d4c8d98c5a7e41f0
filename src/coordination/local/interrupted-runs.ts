import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { Occurrence } from '../../domain/occurrence';

/** An attempt a shutdown interrupted, to settle after the restart. */
export interface Interrupted {
  occurrence: Occurrence;
  /** The interrupted attempt's number: the settling attempt is the next. */
  attempt: number;
  /** When it was interrupted (epoch ms). */
  at: number;
}

/**
 * The attempts a shutdown interrupted, kept in a file beside the schedule marker so the
 * in-memory queue settles them after its restart (with Redis, another replica does). Written
 * once at shutdown, read and removed once at start; a file that cannot be read is left for a
 * person, named in the log.
 */
export class InterruptedRuns {
  constructor(private readonly file: string) {}

  async save(runs: Interrupted[]): Promise<void> {
    if (runs.length === 0) return;
    await fs.mkdir(dirname(this.file), { recursive: true });
    const known = await this.read().catch(() => []);
    const tmp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify([...known, ...runs]));
    await fs.rename(tmp, this.file);
  }

  /** Every saved attempt, removed from the file. */
  async takeAll(): Promise<Interrupted[]> {
    const runs = await this.read();
    await fs.rm(this.file, { force: true });
    return runs;
  }

  private async read(): Promise<Interrupted[]> {
    try {
      return JSON.parse(await fs.readFile(this.file, 'utf8')) as Interrupted[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
