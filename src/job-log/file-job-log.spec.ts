import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJobLog } from './file-job-log';
import { RunRecord } from './run-record';

const key = { account: 'a', group: 'g', id: 'j' };
const record = (n: number, status: RunRecord['status'] = 'succeeded'): RunRecord => ({
  run_id: `a/g/j@${n}`,
  trigger: 'schedule',
  scheduled_for: null,
  attempt: 1,
  status,
  started_at: new Date(n).toISOString(),
  finished_at: new Date(n + 5).toISOString(),
  duration_ms: 5,
});

describe('FileJobLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'minion-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends JSON lines and lists newest first with a limit', async () => {
    const log = new FileJobLog(dir, 'org', 1000);
    for (let i = 1; i <= 5; i++) await log.append(key, record(i));
    await log.flush();
    expect((await log.list(key, 3)).map((r) => r.run_id)).toEqual([
      'a/g/j@5',
      'a/g/j@4',
      'a/g/j@3',
    ]);
    const lines = readFileSync(join(dir, 'org', 'a', 'g', 'j.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0]).run_id).toBe('a/g/j@1');
  });

  it('describes the log: where, how many, how big, the last run', async () => {
    const log = new FileJobLog(dir, 'org', 1000);
    expect(await log.describe(key)).toBeNull();
    await log.append(key, record(1));
    await log.append(key, record(2, 'failed'));
    await log.flush();
    const info = await log.describe(key);
    expect(info).toMatchObject({ runs: 2, last_run: { status: 'failed', run_id: 'a/g/j@2' } });
    expect(info?.bytes).toBeGreaterThan(100);
    expect(info?.name).toContain(join('org', 'a', 'g', 'j.jsonl'));
  });

  it('keeps at least the newest keepRuns records and never grows past three times that', async () => {
    const log = new FileJobLog(dir, 'org', 1000);
    for (let i = 1; i <= 2500; i++) await log.append(key, record(i));
    await log.flush();
    const kept = await log.list(key, 100_000);
    expect(kept.length).toBeGreaterThanOrEqual(1000);
    expect(kept.length).toBeLessThan(3000);
    expect(kept[0].run_id).toBe('a/g/j@2500');
    expect(kept[kept.length - 1].run_id).toBe(`a/g/j@${2501 - kept.length}`);
  });

  it('skips a torn last line left by a crash', async () => {
    const log = new FileJobLog(dir, 'org', 1000);
    await log.append(key, record(1));
    await log.flush();
    appendFileSync(join(dir, 'org', 'a', 'g', 'j.jsonl'), '{"run_id": "a/g/j@2", "sta');
    expect((await log.list(key, 10)).map((r) => r.run_id)).toEqual(['a/g/j@1']);
  });

  it('keeps logs of deleted jobs unless deleteLogs is set', async () => {
    const keep = new FileJobLog(dir, 'org', 1000);
    await keep.append(key, record(1));
    await keep.flush();
    await keep.jobDeleted(key);
    expect(await keep.list(key, 10)).toHaveLength(1);
    const purge = new FileJobLog(dir, 'org', 1000, true);
    await purge.jobDeleted(key);
    expect(await purge.list(key, 10)).toEqual([]);
  });
});
