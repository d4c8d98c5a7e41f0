import { plainToInstance } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { join } from 'node:path';
import {
  AwsClientSettings,
  awsClientSettings,
  AwsServiceOptions,
} from '../common/aws-client-config';
import { ValidateByType } from '../common/validators/validate-record';

/** `logProvider.config` for `type: "file"`. */
export class FileLogOptions {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @IsOptional()
  @IsBoolean()
  deleteLogs?: boolean;
}

/** Retention values CloudWatch Logs accepts, in days. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/** `logProvider.config` for `type: "cloudwatch"` (the original's `region`, `akid`, `secret`, plus minion's). */
export class CloudWatchLogOptions extends AwsServiceOptions {
  /** Days CloudWatch keeps a log group's events (default 90, as the original). */
  @IsOptional()
  @IsIn(CLOUDWATCH_RETENTION_DAYS, {
    message: `$property must be one of: ${CLOUDWATCH_RETENTION_DAYS.join(', ')}`,
  })
  retentionDays?: number;

  @IsOptional()
  @IsBoolean()
  deleteLogs?: boolean;
}

export const LOG_PROVIDER_TYPES = ['file', 'cloudwatch'] as const;

/** `logProvider`: where run history goes. `file` (default): SQLite under the data directory; `cloudwatch`: CloudWatch Logs. */
export class LogProviderDefinition {
  @IsIn(LOG_PROVIDER_TYPES, {
    message: `$property must be one of: ${LOG_PROVIDER_TYPES.join(', ')}`,
  })
  type: string;

  @IsOptional()
  @ValidateByType({ file: FileLogOptions, cloudwatch: CloudWatchLogOptions })
  config?: Record<string, unknown>;
}

/** Where run history goes: a SQLite database under the data directory, or CloudWatch Logs. */
export type RunLogStore =
  | {
      readonly type: 'file';
      /** The SQLite database's directory (`<dataDir>/.runs` by default). */
      readonly path: string;
      readonly deleteLogs: boolean;
      /** Runs each job keeps at least (scheduler.keepRuns). */
      readonly keepRuns: number;
    }
  | {
      readonly type: 'cloudwatch';
      readonly aws: AwsClientSettings;
      readonly retentionDays: number;
      readonly deleteLogs: boolean;
    };

/** `logProvider`, resolved: the run log's settings slice (DI token). */
export abstract class RunLogSettings {
  /** Log group names start with it (`<org>-<group>`), as the original's did. */
  abstract readonly org: string;
  abstract readonly store: RunLogStore;
}

/** The run log: `logProvider` if given, else a SQLite database under `<dataDir>/.runs`. */
export function runLogSettings(
  def: LogProviderDefinition | undefined,
  org: string,
  dataDir: string,
  keepRuns: number,
): RunLogSettings {
  if (def?.type === 'cloudwatch') {
    const o = plainToInstance(CloudWatchLogOptions, def.config ?? {});
    return {
      org,
      store: {
        type: 'cloudwatch',
        aws: awsClientSettings(o),
        retentionDays: o.retentionDays ?? 90,
        deleteLogs: o.deleteLogs === true,
      },
    };
  }
  const o = plainToInstance(FileLogOptions, def?.config ?? {});
  return {
    org,
    store: {
      type: 'file',
      path: o.path ?? join(dataDir, '.runs'),
      deleteLogs: o.deleteLogs === true,
      keepRuns,
    },
  };
}
