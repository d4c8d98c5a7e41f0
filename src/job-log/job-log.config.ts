import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
} from 'class-validator';
import { join } from 'node:path';
import {
  AwsClientSettings,
  awsClientSettings,
  AwsServiceOptions,
} from '../common/aws-client-config';
import { ValidateByType } from '../common/validators/validate-record';
import { IsDurationBetween } from '../common/validators/is-duration.validator';
import { parseDuration } from '../common/duration';

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

  /**
   * While CloudWatch cannot take records (throttling, down), this many are held in memory
   * (default 10,000) before the next ones go to the spill file.
   */
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(1_000_000)
  bufferRecords?: number;

  /** The spill files' directory (default `<dataDir>/.cloudwatch-spill`); one per replica. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  spillPath?: string;

  /** Each spill file (run records, audit entries) holds at most this many MiB (default 1024). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_048_576)
  spillMaxMiB?: number;

  /** First pause before delivery of held records is tried again (default "5s"), doubling... */
  @IsOptional()
  @IsDurationBetween('100ms', '5m')
  retryInterval?: string;

  /** ...up to this (default "1m"). */
  @IsOptional()
  @IsDurationBetween('100ms', '1h')
  maxRetryInterval?: string;
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
      /** Where records go while CloudWatch cannot take them. */
      readonly outage: OutageLimits;
    };

/** `bufferRecords`, `spillPath`, `spillMaxMiB`, `retryInterval`, `maxRetryInterval`, resolved. */
export interface OutageLimits {
  readonly bufferRecords: number;
  /** The spill files' directory: `runs.jsonl` and `audit.jsonl` in it. */
  readonly spillDir: string;
  readonly spillMaxBytes: number;
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

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
        outage: outageLimits(o, dataDir),
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

function outageLimits(o: CloudWatchLogOptions, dataDir: string): OutageLimits {
  const retryMs = (o.retryInterval && parseDuration(o.retryInterval)) || 5000;
  const maxRetryMs = (o.maxRetryInterval && parseDuration(o.maxRetryInterval)) || 60_000;
  return {
    bufferRecords: o.bufferRecords ?? 10_000,
    spillDir: o.spillPath ?? join(dataDir, '.cloudwatch-spill'),
    spillMaxBytes: (o.spillMaxMiB ?? 1024) * 1024 * 1024,
    retryMs,
    maxRetryMs: Math.max(retryMs, maxRetryMs),
  };
}
