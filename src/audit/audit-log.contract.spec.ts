import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeAws } from '../../test/support/fake-aws';
import { describeAuditLogContract } from './audit-log.contract';
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
  const fake = new FakeAws();
  const endpoint = await fake.start();
  const client = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIACONTRACT0000', secretAccessKey: 'contract-secret' },
    maxAttempts: 1,
  });
  return {
    log: new CloudWatchAuditLog(client, 'org', 90),
    cleanup: async () => {
      client.destroy();
      await fake.stop();
    },
  };
});
