import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boundedFileName } from '../common/safe-segment';
import { sampleRecord } from '../../test/contracts/job-log.contract';
import { SqliteJobLog } from './sqlite-job-log';

const key = { account: 'a', group: 'g', id: 'j' };
const record = (n: number, status: 'succeeded' | 'failed' = 'succeeded') =>
  sampleRecord(key, n, status);

describe('SqliteJobLog', () => {
  let dir: string;
  const opened: SqliteJobLog[] = [];
  const open = (keepRuns = 1000, deleteLogs = false) => {
    const log = new SqliteJobLog(dir, 'org', keepRuns, deleteLogs);
    opened.push(log);
    return log;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'minion-sqlite-log-'))));
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one database per org under the path, one row per record', async () => {
    const log = open();
    for (let i = 1; i <= 5; i++) await log.append(key, record(i));
    await log.flush();
    const db = new Database(join(dir, 'org.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT job, record FROM runs ORDER BY seq').all() as {
      job: string;
      record: string;
    }[];
    db.close();
    expect(rows).toHaveLength(5);
    expect(rows[0].job).toBe('a/g/j');
    expect(JSON.parse(rows[0].record).run_id).toBe('a/g/j@1');
  });

  it('commits many appends in a few transactions, not one per record', async () => {
    const log = open();
    const db = new Database(join(dir, 'org.sqlite'));
    const before = db.pragma('data_version', { simple: true });
    for (let i = 1; i <= 3000; i++) void log.append({ ...key, id: `j${i % 300}` }, record(i));
    await log.flush();
    // data_version moves once per transaction committed by another connection.
    const commits = (db.pragma('data_version', { simple: true }) as number) - (before as number);
    db.close();
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(10);
    expect(await log.list({ ...key, id: 'j7' }, 100)).toHaveLength(10);
  });

  it('describes the log from its cache, kept current by appends', async () => {
    const log = open();
    expect(await log.describe(key)).toBeNull();
    await log.append(key, record(1));
    await log.flush();
    const first = await log.describe(key);
    expect(first).toMatchObject({ type: 'file', runs: 1, last_run: { run_id: 'a/g/j@1' } });
    await log.append(key, record(2, 'failed'));
    const info = await log.describe(key);
    expect(info).toMatchObject({ runs: 2, last_run: { status: 'failed', run_id: 'a/g/j@2' } });
    expect(info!.bytes).toBeGreaterThan(first!.bytes);
    expect(info?.name).toContain('org.sqlite');
  });

  it('keeps at least the newest keepRuns records and never twice that', async () => {
    const log = open(100);
    for (let i = 1; i <= 1050; i++) await log.append(key, record(i));
    await log.flush();
    const kept = await log.list(key, 100_000);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(200);
    expect(kept[0].run_id).toBe('a/g/j@1050');
    expect(kept[kept.length - 1].run_id).toBe(`a/g/j@${1051 - kept.length}`);
    expect((await log.describe(key))?.runs).toBe(kept.length);
  });

  it('deleteLogs removes records still waiting in a batch too', async () => {
    const log = open(1000, true);
    void log.append(key, record(1));
    await log.jobDeleted(key);
    await log.flush();
    expect(await log.list(key, 10)).toEqual([]);
    expect(await log.describe(key)).toBeNull();
  });

  it('deleteLogs removes records of a full batch waiting for its commit turn', async () => {
    const log = open(100_000, true);
    await log.append({ ...key, id: 'other' }, record(1));
    await log.flush(); // the store is open: nothing below waits for it
    // 1,000 records fill a batch, which is committed at the next turn, not at once.
    for (let i = 1; i <= 1000; i++) void log.append(key, record(i));
    await log.jobDeleted(key);
    await log.flush();
    expect(await log.list(key, 10)).toEqual([]);
    expect(await log.describe(key)).toBeNull();
    expect(await log.list({ ...key, id: 'other' }, 10)).toHaveLength(1);
  });

  it('imports the JSON-lines files of earlier versions once, torn lines left out', async () => {
    const groupDir = join(dir, 'org', 'a', 'g');
    mkdirSync(groupDir, { recursive: true });
    const lines = [1, 2].map((n) => JSON.stringify(record(n))).join('\n');
    writeFileSync(join(groupDir, 'j.jsonl'), `${lines}\n{"run_id": "a/g/j@3", "sta`);
    const longId = 'x'.repeat(300);
    const longKey = { ...key, id: longId };
    writeFileSync(
      join(groupDir, boundedFileName(longId, '.jsonl')),
      JSON.stringify(sampleRecord(longKey, 9)) + '\n',
    );
    const log = open();
    await log.append(key, record(4));
    await log.flush();
    expect((await log.list(key, 10)).map((r) => r.run_id)).toEqual([
      'a/g/j@4',
      'a/g/j@2',
      'a/g/j@1',
    ]);
    expect((await log.list(longKey, 10)).map((r) => r.run_id)).toEqual([`a/g/${longId}@9`]);
    expect(existsSync(join(groupDir, 'j.jsonl'))).toBe(false);
    expect(existsSync(join(groupDir, 'j.jsonl.imported'))).toBe(true);
    // A restart does not import again.
    await log.onApplicationShutdown();
    expect(await open().list(key, 10)).toHaveLength(3);
  });

  it('a record appended after close is counted as failed, not thrown', async () => {
    const log = open();
    await log.onApplicationShutdown();
    await expect(log.append(key, record(1))).resolves.toBeUndefined();
    await expect(log.flush()).resolves.toBeUndefined();
  });
});
