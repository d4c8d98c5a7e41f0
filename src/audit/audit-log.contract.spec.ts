import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeLogsClient } from '../../test/support/fake-logs-client';
import { describeAuditLogContract } from '../../test/contracts/audit-log.contract';
import { CloudWatchAuditLog } from './cloudwatch-audit-log';
import { SqliteAuditLog } from './sqlite-audit-log';

describeAuditLogContract('SqliteAuditLog', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'minion-audit-'));
  const log = new SqliteAuditLog(join(dir, '.audit'), 'org');
  return {
    log,
    cleanup: async () => {
      await log.onApplicationShutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// Over the wire, against the local CloudWatch Logs stand-in: the real SDK client, real requests.
describeAuditLogContract('CloudWatchAuditLog', async () => {
  const { client, stop } = await fakeLogsClient();
  return { log: new CloudWatchAuditLog(client, 'org', 90), cleanup: stop };
});
