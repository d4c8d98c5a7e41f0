import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { MinionSettings } from '../config/settings';
import { MetricsModule } from '../metrics/metrics.module';
import { createLogsClient } from '../job-log/cloudwatch-job-log';
import { AuditLog } from './audit-log';
import { Auditor } from './auditor.service';
import { CloudWatchAuditLog } from './cloudwatch-audit-log';
import { SqliteAuditLog } from './sqlite-audit-log';

/** The audit trail goes where the run history goes: CloudWatch Logs, or files under the data dir. */
export function createAuditLog(settings: MinionSettings): AuditLog {
  const log = settings.runLog;
  if (log.type === 'cloudwatch') {
    return new CloudWatchAuditLog(createLogsClient(log.aws), settings.org, log.retentionDays);
  }
  return new SqliteAuditLog(join(settings.dataDir, '.audit'), settings.org);
}

@Module({
  imports: [MetricsModule],
  providers: [{ provide: AuditLog, useFactory: createAuditLog, inject: [MinionSettings] }, Auditor],
  exports: [AuditLog, Auditor],
})
export class AuditModule {}
