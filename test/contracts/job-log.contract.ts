import { JobDocument } from '../../src/domain/job-document';
import { JobLog } from '../../src/job-log/job-log';
import { RunRecord } from '../../src/domain/run-record';
import { JobKey } from '../../src/domain/job-key';

const T0 = Date.parse('2026-01-05T10:00:00Z');

/** A run record of `key`, the `n`th: finished `n` seconds after T0. */
export function sampleRecord(
  key: JobKey,
  n: number,
  status: RunRecord['status'] = 'succeeded',
): RunRecord {
  const at = new Date(T0 + n * 1000).toISOString();
  return {
    run_id: `${key.account}/${key.group}/${key.id}@${n}`,
    trigger: 'schedule',
    scheduled_for: null,
    attempt: 1,
    status,
    started_at: at,
    finished_at: at,
    duration_ms: 0,
    runner: 'dummyRunner',
  };
}

/** An every-minute dummy job at `key`, as `jobSaved` receives it. */
export function sampleJob(key: JobKey): JobDocument {
  return {
    ...key,
    name: key.id,
    description: '',
    details: { runner: 'dummyRunner' },
    schedule_expression: '* * * * *',
    enabled: true,
    modified_at: '',
    modified_by: '',
  };
}

export interface JobLogFixture {
  /** A log over the same storage each call (a restart), keeping or deleting logs of deleted jobs. */
  open(options?: { deleteLogs?: boolean }): JobLog;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every JobLog must have. Each implementation's spec calls this with a factory
 * giving fresh, empty storage.
 */
export function describeJobLogContract(name: string, setup: () => Promise<JobLogFixture>): void {
  describe(`${name}: JobLog contract`, () => {
    const key: JobKey = { account: 'acct', group: 'grp', id: 'job-1' };
    const other: JobKey = { account: 'acct', group: 'grp', id: 'job-2' };
    let fixture: JobLogFixture;
    let log: JobLog;

    beforeEach(async () => {
      fixture = await setup();
      log = fixture.open();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const created = async (l: JobLog, k: JobKey) => l.jobSaved(sampleJob(k));

    it('a job with no runs has an empty history', async () => {
      expect(await log.list(key, 10)).toEqual([]);
    });

    it('appends resolve before the write; flush waits for it; records come back whole', async () => {
      await created(log, key);
      const record = { ...sampleRecord(key, 1), output: 'started i-0abc', request_id: 'req-1' };
      await log.append(key, record);
      await log.flush();
      expect(await log.list(key, 10)).toEqual([record]);
    });

    it('lists newest first, honouring the limit, in append order within a job', async () => {
      await created(log, key);
      for (let n = 1; n <= 30; n++) await log.append(key, sampleRecord(key, n));
      await log.flush();
      const ids = (await log.list(key, 5)).map((r) => r.run_id.split('@')[1]);
      expect(ids).toEqual(['30', '29', '28', '27', '26']);
      expect(await log.list(key, 1000)).toHaveLength(30);
    });

    it("keeps each job's history apart", async () => {
      await created(log, key);
      await created(log, other);
      await log.append(key, sampleRecord(key, 1));
      await log.append(other, sampleRecord(other, 2, 'failed'));
      await log.flush();
      expect((await log.list(key, 10)).map((r) => r.run_id)).toEqual(['acct/grp/job-1@1']);
      expect((await log.list(other, 10)).map((r) => r.status)).toEqual(['failed']);
    });

    it('describes a log with its last run; null before the job has one', async () => {
      expect(await log.describe(key)).toBeNull();
      await created(log, key);
      await log.append(key, sampleRecord(key, 1));
      await log.append(key, sampleRecord(key, 2, 'failed'));
      await log.flush();
      const info = await log.describe(key);
      expect(info?.last_run).toEqual({
        status: 'failed',
        finished_at: sampleRecord(key, 2).finished_at,
        run_id: 'acct/grp/job-1@2',
      });
      expect(info?.name).toBeTruthy();
    });

    it('the history outlives the process (a new instance reads it)', async () => {
      await created(log, key);
      await log.append(key, sampleRecord(key, 1));
      await log.flush();
      expect((await fixture.open().list(key, 10)).map((r) => r.run_id)).toEqual([
        'acct/grp/job-1@1',
      ]);
    });

    it('keeps the history of a deleted job by default; deleteLogs removes it', async () => {
      await created(log, key);
      await log.append(key, sampleRecord(key, 1));
      await log.flush();
      await log.jobDeleted(key);
      expect(await log.list(key, 10)).toHaveLength(1);
      await fixture.open({ deleteLogs: true }).jobDeleted(key);
      expect(await log.list(key, 10)).toEqual([]);
    });

    it('flush with nothing written resolves at once', async () => {
      await expect(log.flush()).resolves.toBeUndefined();
    });
  });
}
