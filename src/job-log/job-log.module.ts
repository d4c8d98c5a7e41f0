import { Module } from '@nestjs/common';
import { join } from 'node:path';
import { MetricsModule } from '../metrics/metrics.module';
import { createLogsClient } from '../common/aws-logs-client';
import { CloudWatchJobLog } from './cloudwatch-job-log';
import { RunLogSettings } from './job-log.config';
import { JobLog } from './job-log';
import { JobLogMetrics } from './job-log.metrics';
import { SqliteJobLog } from './sqlite-job-log';

/** Chooses the `JobLog` implementation: SQLite under the data dir (default), or CloudWatch Logs. */
export function createJobLog(settings: RunLogSettings): JobLog {
  const store = settings.store;
  return store.type === 'cloudwatch'
    ? new CloudWatchJobLog(
        createLogsClient(store.aws),
        settings.org,
        store.retentionDays,
        store.deleteLogs,
        undefined,
        { limits: { ...store.outage, spillFile: join(store.outage.spillDir, 'runs.jsonl') } },
      )
    : new SqliteJobLog(store.path, settings.org, store.keepRuns, store.deleteLogs);
}

@Module({
  imports: [MetricsModule],
  providers: [
    { provide: JobLog, useFactory: createJobLog, inject: [RunLogSettings] },
    JobLogMetrics,
  ],
  exports: [JobLog],
})
export class JobLogModule {}
