import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { JobLog } from '../../src/job-log/job-log';
import { RunRecord } from '../../src/domain/run-record';
import { RunRecorder } from '../../src/runs/run-recorder.service';
import { JobQueue } from '../../src/coordination/job-queue';
import { WAIT_DEADLINE_MS, waitFor } from './manual-clock';
import { TestApp } from './test-app';

export const BASE = '/v1/minion';

export interface JobSpec {
  schedule_expression?: string;
  timezone?: string;
  enabled?: boolean;
  details?: Record<string, string>;
  name?: string;
}

/** Creates a job through the API and returns its id. */
export async function createJob(
  t: TestApp,
  spec: JobSpec = {},
  account = 'acct1',
  group = 'g',
): Promise<string> {
  const job = {
    name: spec.name ?? 'job',
    schedule_expression: spec.schedule_expression ?? '* * * ? *',
    enabled: spec.enabled ?? true,
    details: spec.details ?? { runner: 'dummyRunner' },
    ...(spec.timezone ? { timezone: spec.timezone } : {}),
  };
  const res = await t.authed.post(`${BASE}/${account}/jobs/${group}`).send({ job });
  if (res.status !== 200)
    throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.job.id as string;
}

/** Writes a job document straight into the data dir, as another replica or the Go service would. */
export function writeJobFile(
  t: TestApp,
  account: string,
  group: string,
  id: string,
  doc: Record<string, unknown>,
): void {
  const dir = join(t.dataDir, t.config.org, account, group);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, id),
    JSON.stringify({
      account,
      description: '',
      details: { runner: 'dummyRunner' },
      group,
      id,
      modified_at: '',
      modified_by: '',
      name: 'external',
      schedule_expression: '* * * ? *',
      enabled: true,
      ...doc,
    }),
  );
}

/** Sets the clock and runs one scheduler tick. */
export async function tickAt(t: TestApp, iso: string | number) {
  t.clock.set(new Date(iso));
  return t.scheduler.tick();
}

/** Waits until nothing is queued, delayed or running, and every run record is written. */
export async function drain(t: TestApp, timeoutMs = WAIT_DEADLINE_MS): Promise<void> {
  const queue = t.app.get(JobQueue);
  await waitFor(async () => {
    const c = await queue.counts();
    return c.waiting + c.active + c.delayed === 0;
  }, timeoutMs);
  await t.app.get(RunRecorder).flush();
}

/** Every run record of a job, oldest first (reads the run log directly: the API caps at 1000). */
export async function allRuns(
  t: TestApp,
  id: string,
  account = 'acct1',
  group = 'g',
): Promise<RunRecord[]> {
  return (await t.app.get(JobLog).list({ account, group, id }, 1_000_000)).reverse();
}
