import { Global, Logger, Module } from '@nestjs/common';
import { join } from 'node:path';
import { CloudWatchLogOptions, MinionConfig } from '../config/minion-config';
import { CloudWatchJobLog, createLogsClient } from './cloudwatch-job-log';
import { FileJobLog } from './file-job-log';
import { JobLog } from './job-log';

/** Chooses the `JobLog` implementation from `logProvider.type` (default: file under the data dir). */
export function createJobLog(config: MinionConfig): JobLog {
  const provider = config.logProvider ?? { type: 'file', config: {} };
  const options = provider.config ?? {};
  switch (provider.type) {
    case 'file':
      if (config.queueProvider?.type === 'redis') {
        new Logger('JobLog').warn(
          'several replicas with a file run log: each replica keeps the history of the runs it ran, ' +
            'unless all share the directory. Use logProvider "cloudwatch" for one history.',
        );
      }
      return new FileJobLog(
        typeof options.path === 'string' ? options.path : join(config.dataDir, '.runs'),
        config.org,
        config.schedulerSettings.keepRuns,
        options.deleteLogs === true,
      );
    case 'cloudwatch': {
      const cw = options as CloudWatchLogOptions;
      return new CloudWatchJobLog(
        createLogsClient(cw),
        config.org,
        cw.retentionDays ?? 90,
        cw.deleteLogs === true,
      );
    }
    default:
      throw new Error(`logProvider.type "${provider.type}" is not supported`);
  }
}

@Global()
@Module({
  providers: [{ provide: JobLog, useFactory: createJobLog, inject: [MinionConfig] }],
  exports: [JobLog],
})
export class JobLogModule {}
