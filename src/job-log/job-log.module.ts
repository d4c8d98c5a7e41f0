import { Logger, Module } from '@nestjs/common';
import { MinionSettings } from '../config/settings';
import { CloudWatchJobLog, createLogsClient } from './cloudwatch-job-log';
import { SqliteJobLog } from './sqlite-job-log';
import { JobLog } from './job-log';

/** Chooses the `JobLog` implementation from the run log settings (default: files under the data dir). */
export function createJobLog(settings: MinionSettings): JobLog {
  const log = settings.runLog;
  switch (log.type) {
    case 'file':
      if (settings.coordination.type === 'redis') {
        new Logger('JobLog').warn(
          'several replicas with a file run log: each replica keeps the history of the runs it ran, ' +
            'unless all share the directory. Use logProvider "cloudwatch" for one history.',
        );
      }
      return new SqliteJobLog(log.path, settings.org, log.keepRuns, log.deleteLogs);
    case 'cloudwatch':
      return new CloudWatchJobLog(
        createLogsClient(log.aws),
        settings.org,
        log.retentionDays,
        log.deleteLogs,
      );
  }
}

@Module({
  providers: [{ provide: JobLog, useFactory: createJobLog, inject: [MinionSettings] }],
  exports: [JobLog],
})
export class JobLogModule {}
