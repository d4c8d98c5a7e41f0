import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { segmentFromFileName } from '../common/safe-segment';
import { JobKey } from '../domain/job-key';

const SUFFIX = '.jsonl';

/**
 * Run history written by minion before the SQLite run log: one JSON-lines file per job at
 * `<dir>/<account>/<group>/<id>.jsonl`. Each file is handed to `load` (its complete lines, oldest
 * first) and then renamed `<id>.jsonl.imported`, so an import interrupted by a crash resumes
 * where it stopped and the files stay for a rollback. Resolves with the number of files imported.
 */
export async function importLegacyFiles(
  dir: string,
  load: (job: JobKey, records: string[]) => void,
): Promise<number> {
  let imported = 0;
  for (const accountName of await names(dir)) {
    const account = segmentFromFileName(accountName);
    if (!account) continue;
    for (const groupName of await names(join(dir, accountName))) {
      const group = segmentFromFileName(groupName);
      if (!group) continue;
      const groupDir = join(dir, accountName, groupName);
      for (const name of await names(groupDir)) {
        if (!name.endsWith(SUFFIX)) continue;
        const file = join(groupDir, name);
        const records = (await fs.readFile(file, 'utf8')).split('\n').filter(isCompleteRecord);
        const id = idOf(name.slice(0, -SUFFIX.length), account, group, records);
        if (id && records.length > 0) load({ account, group, id }, records);
        await fs.rename(file, `${file}.imported`);
        imported++;
      }
    }
  }
  return imported;
}

async function names(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

/** A torn last line (a crash mid-append) is left out. */
function isCompleteRecord(line: string): boolean {
  if (line.trim() === '') return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The job id from the file name; a name too long for the file system was hashed, and then the
 * id is read from a record's run id (`<account>/<group>/<id>@<when>`).
 */
function idOf(name: string, account: string, group: string, records: string[]): string | null {
  if (!name.startsWith('%~')) return segmentFromFileName(name);
  const prefix = `${account}/${group}/`;
  for (const line of records) {
    const runId = (JSON.parse(line) as { run_id?: unknown }).run_id;
    if (typeof runId === 'string' && runId.startsWith(prefix) && runId.includes('@')) {
      return runId.slice(prefix.length, runId.lastIndexOf('@'));
    }
  }
  return null;
}
