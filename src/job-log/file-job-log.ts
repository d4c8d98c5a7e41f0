import { promises as fs } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KeyedMutex } from '../common/keyed-mutex';
import { boundedFileName, requireSafeSegment, segmentFileName } from '../common/safe-segment';
import { JobKey } from '../repository/jobs.repository';
import { JobLog } from './job-log';
import { RunLogInfo, RunRecord } from './run-record';

/**
 * Embedded default run log: one JSON-lines file per job at
 * `<path>/<org>/<account>/<group>/<id>.jsonl`. Appends are serialized per job and cost one
 * append: no read. Every `keepRuns` appends to a file (per process) its length is checked, and a
 * file holding twice `keepRuns` records or more is rewritten (atomically) with the newest
 * `keepRuns`. So the newest `keepRuns` runs are always kept and a file stays under about three
 * times that. Logs of deleted jobs are kept (audit) unless `deleteLogs` is set.
 */
export class FileJobLog extends JobLog {
  private readonly base: string;
  private readonly locks = new KeyedMutex();
  /** Appends per file since its length was last checked by this process. */
  private readonly appendsSinceCheck = new Map<string, number>();
  /** Directories known to exist, so an append does not mkdir every time. */
  private readonly knownDirs = new Set<string>();

  constructor(
    path: string,
    org: string,
    private readonly keepRuns: number,
    private readonly deleteLogs = false,
  ) {
    super();
    this.base = join(resolve(path), segmentFileName(org));
  }

  protected async write(key: JobKey, record: RunRecord): Promise<void> {
    const file = this.file(key);
    await this.locks.run(file, async () => {
      const dir = dirname(file);
      if (!this.knownDirs.has(dir)) {
        await fs.mkdir(dir, { recursive: true });
        this.knownDirs.add(dir);
      }
      await fs.appendFile(file, JSON.stringify(record) + '\n', 'utf8');
      const appends = (this.appendsSinceCheck.get(file) ?? 0) + 1;
      if (appends < this.keepRuns) {
        this.appendsSinceCheck.set(file, appends);
        return;
      }
      this.appendsSinceCheck.set(file, 0);
      const lines = await this.lines(file);
      if (lines.length >= this.keepRuns * 2) await this.rewrite(file, lines.slice(-this.keepRuns));
    });
  }

  async list(key: JobKey, limit: number): Promise<RunRecord[]> {
    const lines = await this.lines(this.file(key));
    return lines
      .slice(-limit)
      .reverse()
      .map(parseRecord)
      .filter((r): r is RunRecord => r !== null);
  }

  async describe(key: JobKey): Promise<RunLogInfo | null> {
    const file = this.file(key);
    const bytes = await fs.stat(file).then(
      (s) => s.size,
      () => null,
    );
    if (bytes === null) return null;
    const lines = await this.lines(file);
    const last = lines.length > 0 ? parseRecord(lines[lines.length - 1]) : null;
    return {
      type: 'file',
      name: relative(process.cwd(), file) || file,
      runs: lines.length,
      bytes,
      last_run: last
        ? { status: last.status, finished_at: last.finished_at, run_id: last.run_id }
        : null,
    };
  }

  async jobSaved(): Promise<void> {
    // Files are created by the first append.
  }

  async jobDeleted(key: JobKey): Promise<void> {
    if (!this.deleteLogs) return;
    const file = this.file(key);
    await this.locks.run(file, async () => {
      await fs.rm(file, { force: true });
      this.appendsSinceCheck.delete(file);
    });
  }

  private file(key: JobKey): string {
    // Names as the file repository encodes them; an id too long for a file name is hashed
    // (run logs are addressed by key, never listed).
    return join(
      this.base,
      boundedFileName(requireSafeSegment(key.account, 'account'), ''),
      boundedFileName(requireSafeSegment(key.group, 'group'), ''),
      boundedFileName(requireSafeSegment(key.id, 'id'), '.jsonl'),
    );
  }

  private async lines(file: string): Promise<string[]> {
    try {
      const text = await fs.readFile(file, 'utf8');
      return text.split('\n').filter((l) => l.trim() !== '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  private async rewrite(file: string, kept: string[]): Promise<void> {
    const temp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temp, kept.join('\n') + '\n', 'utf8');
    await fs.rename(temp, file);
  }
}

function parseRecord(line: string): RunRecord | null {
  try {
    return JSON.parse(line) as RunRecord;
  } catch {
    return null; // a torn last line after a crash is skipped, not fatal
  }
}
