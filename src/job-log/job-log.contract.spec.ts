import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeLogsClient } from '../../test/support/fake-logs-client';
import { CloudWatchJobLog } from './cloudwatch-job-log';
import { SqliteJobLog } from './sqlite-job-log';
import { describeJobLogContract } from '../../test/contracts/job-log.contract';

describeJobLogContract('SqliteJobLog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'minion-log-contract-'));
  return {
    open: (o = {}) => new SqliteJobLog(dir, 'org', 1000, o.deleteLogs),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

// Over the wire, against the local CloudWatch Logs stand-in: the real SDK client, real requests.
describeJobLogContract('CloudWatchJobLog', async () => {
  const { client, stop } = await fakeLogsClient();
  return {
    open: (o = {}) => new CloudWatchJobLog(client, 'org', 90, o.deleteLogs ?? false, 1),
    cleanup: stop,
  };
});
