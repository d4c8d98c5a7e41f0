import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { createLogsClient } from '../common/aws-logs-client';
import { MetricsModule } from '../metrics/metrics.module';
import { AuditSettings } from './audit.config';
import { AuditMetrics } from './audit.metrics';
import { AuditLog } from './audit-log';
import { AuditController } from './audit.controller';
import { Auditor } from './auditor.service';
import { CloudWatchAuditLog } from './cloudwatch-audit-log';
import { SqliteAuditLog } from './sqlite-audit-log';

/** Chooses the `AuditLog` implementation: CloudWatch Logs, or SQLite under the data dir. */
export function createAuditLog(settings: AuditSettings): AuditLog {
  const store = settings.store;
  return store.type === 'cloudwatch'
    ? new CloudWatchAuditLog(createLogsClient(store.aws), settings.org, store.retentionDays, {
        limits: { ...store.outage, spillFile: join(store.outage.spillDir, 'audit.jsonl') },
      })
    : new SqliteAuditLog(store.path, settings.org);
}

/** The audit trail: the Auditor every write goes through, its store, and its routes. */
@Module({
  imports: [MetricsModule],
  controllers: [AuditController],
  providers: [
    { provide: AuditLog, useFactory: createAuditLog, inject: [AuditSettings] },
    Auditor,
    AuditMetrics,
  ],
  exports: [AuditLog, Auditor],
})
export class AuditModule {}
