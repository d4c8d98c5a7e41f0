import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rfc3339 } from '../../common/clock';
import { boundedFileName } from '../../common/safe-segment';
import { ScheduleMarker } from '../schedule-marker';

/** The marker as a small JSON file, `<dataDir>/.scheduler/<org>.json`, replaced atomically. */
export class FileScheduleMarker extends ScheduleMarker {
  private readonly file: string;
  private cached: number | null | undefined;

  constructor(dataDir: string, org: string) {
    super();
    this.file = join(resolve(dataDir), '.scheduler', boundedFileName(org, '.json'));
  }

  async get(): Promise<number | null> {
    if (this.cached !== undefined) return this.cached;
    try {
      const parsed = JSON.parse(await fs.readFile(this.file, 'utf8')) as {
        last_scheduled_minute?: string;
      };
      const ms = Date.parse(parsed.last_scheduled_minute ?? '');
      this.cached = Number.isFinite(ms) ? ms : null;
    } catch {
      this.cached = null;
    }
    return this.cached;
  }

  async advance(minuteMs: number): Promise<void> {
    const current = await this.get();
    if (current !== null && current >= minuteMs) return;
    await fs.mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(
      temp,
      JSON.stringify({ last_scheduled_minute: rfc3339(new Date(minuteMs)) }),
    );
    await fs.rename(temp, this.file);
    this.cached = minuteMs;
  }
}
