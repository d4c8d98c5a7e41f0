import { promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { segmentFileName, segmentFromFileName } from '../common/safe-segment';
import { Calendar } from '../domain/calendar';
import { CalendarStore } from './calendar-store';

/** Calendars as JSON files, `<path>/.calendars/<org>/<account>/<name>.json`, written atomically. */
export class FileCalendarStore extends CalendarStore {
  private readonly dir: string;

  constructor(path: string, org: string) {
    super();
    this.dir = join(resolve(path), '.calendars', segmentFileName(org));
  }

  async get(account: string, name: string): Promise<Calendar | null> {
    try {
      return JSON.parse(await fs.readFile(this.file(account, name), 'utf8')) as Calendar;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async put(account: string, name: string, calendar: Calendar): Promise<void> {
    const target = this.file(account, name);
    const dir = join(target, '..');
    await fs.mkdir(dir, { recursive: true });
    const temp = join(dir, `.${randomUUID()}.tmp`);
    await fs.writeFile(temp, JSON.stringify(calendar, null, 2));
    await fs.rename(temp, target);
  }

  async list(account: string): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(join(this.dir, segmentFileName(account)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => segmentFromFileName(n.slice(0, -'.json'.length)))
      .filter((n): n is string => n !== null);
  }

  private file(account: string, name: string): string {
    return join(this.dir, segmentFileName(account), `${segmentFileName(name)}.json`);
  }
}
