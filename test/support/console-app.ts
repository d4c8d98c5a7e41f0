import { BUILT_MAIN, type BuiltApp, startBuiltApp, whenReady } from './built-app';
import { minionClient, type MinionClient } from '../client/portal-flow';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const WRITE_KEY = 'console-write-token-0123456789';
export const READ_KEY = 'console-read-key-0123456789abc';
export const RUN_KEY = 'console-run-key-0123456789abcd';
export const ACCOUNT = 'local';
const INSTANCE = 'i-aaaabbbb11112222';

/**
 * The built app (dist/main.js with the console in dist/ui) as an operator runs it: the full
 * token, a read-only key, a run key, one account with the dummy runner and an EC2 instance runner (its
 * calls go to a closed local port, so a run of it fails at once, as a run with no permission
 * would), a run tried once.
 */
export async function startConsoleApp(extra: Record<string, unknown> = {}): Promise<BuiltApp> {
  const ui = resolve(BUILT_MAIN, '..', 'ui', 'index.html');
  if (!existsSync(ui))
    throw new Error(`${ui} does not exist: run npm run build:test (npm test does)`);
  const app = await startBuiltApp(
    BUILT_MAIN,
    {
      token: WRITE_KEY,
      apiKeys: [
        { name: 'reader', token: READ_KEY, accounts: ['*'], access: 'read' },
        { name: 'operator', token: RUN_KEY, accounts: [ACCOUNT], access: 'run' },
      ],
      accounts: { [ACCOUNT]: { runners: ['dummyRunner', 'instanceRunner'], region: 'us-east-1' } },
      jobRunners: { dummyRunner: { type: 'dummy' }, instanceRunner: { type: 'instance' } },
      scheduler: { attempts: 1 },
      ...extra,
    },
    {
      org: 'console',
      env: {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    },
  );
  await whenReady(app, 60_000);
  return app;
}

export function writeClient(app: BuiltApp): MinionClient {
  return minionClient(app.url.replace(/\/v1\/minion$/, ''), WRITE_KEY);
}

type JobBody = {
  name: string;
  schedule_expression: string;
  details: Record<string, string>;
  enabled?: boolean;
  timezone?: string;
  blackout_calendars?: string[];
};

/** Creates a job; answers `group/id`. */
export async function createJob(
  api: MinionClient,
  group: string,
  job: JobBody,
  tags: { key: string; value: string }[] = [],
): Promise<string> {
  const res = await api.POST('/v1/minion/{account}/jobs/{group}', {
    params: { path: { account: ACCOUNT, group } },
    body: { job: { enabled: true, ...job }, tags },
  });
  if (!res.data)
    throw new Error(`create ${job.name}: ${res.response.status} ${JSON.stringify(res.error)}`);
  return `${group}/${res.data.job.id}`;
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** Wednesday of this week (UTC, weeks from Monday): in the week the console shows, any day. */
function wednesday(): string {
  const now = new Date();
  const monday =
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) -
    ((now.getUTCDay() + 6) % 7) * 86_400_000;
  return new Date(monday + 2 * 86_400_000).toISOString().slice(0, 10);
}

export interface Seeded {
  startWeb: string;
  stopWeb: string;
  report: string;
  pausedReport: string;
  backup: string;
  /** This week's Wednesday (UTC), a day the `holidays` calendar blacks out. */
  holiday: string;
}

/**
 * What an operator's account looks like: a start and a stop of one instance two minutes apart in
 * two groups (a conflict), reports every five minutes, a paused one, a backup with a blackout day.
 */
export async function seed(api: MinionClient): Promise<Seeded> {
  const holiday = wednesday();
  const cal = await api.PUT('/v1/minion/{account}/calendars/{name}', {
    params: { path: { account: ACCOUNT, name: 'holidays' } },
    // This week's Wednesday (the week view holds it) and the day after tomorrow (the next
    // fire times of a daily job hold it), whatever day the tests run.
    body: { timezone: 'UTC', dates: [holiday, inDays(2)], description: 'Days off' },
  });
  if (!cal.response.ok) throw new Error(`calendar: ${cal.response.status}`);
  const startWeb = await createJob(
    api,
    'web',
    {
      name: 'start-web',
      schedule_expression: '0 8 * * *',
      details: { runner: 'instanceRunner', instance_action: 'start', instance_id: INSTANCE },
    },
    [{ key: 'team', value: 'web' }],
  );
  const stopWeb = await createJob(api, 'ops', {
    name: 'stop-web',
    schedule_expression: '2 8 * * *',
    details: { runner: 'instanceRunner', instance_action: 'stop', instance_id: INSTANCE },
  });
  const report = await createJob(api, 'nightly', {
    name: 'report-a',
    schedule_expression: '*/5 * * * *',
    details: { runner: 'dummyRunner' },
  });
  const pausedReport = await createJob(api, 'nightly', {
    name: 'report-b',
    schedule_expression: '30 2 * * *',
    details: { runner: 'dummyRunner' },
  });
  const [group, id] = pausedReport.split('/');
  const paused = await api.POST('/v1/minion/{account}/jobs/{group}/{id}/pause', {
    params: { path: { account: ACCOUNT, group, id } },
    body: { until: new Date(Date.now() + 3 * 86_400_000).toISOString(), reason: 'quarter close' },
  });
  if (!paused.response.ok) throw new Error(`pause: ${paused.response.status}`);
  const backup = await createJob(api, 'nightly', {
    name: 'backup',
    schedule_expression: '0 12 * * *',
    details: { runner: 'dummyRunner' },
    blackout_calendars: ['holidays'],
  });
  return { startWeb, stopWeb, report, pausedReport, backup, holiday };
}

export const jobPath = (ref: string) => `/a/${ACCOUNT}/jobs/${ref}`;
