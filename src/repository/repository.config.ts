import { plainToInstance } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import {
  AwsClientSettings,
  awsClientSettings,
  AwsServiceOptions,
} from '../common/aws-client-config';
import { IsDuration, IsDurationBetween } from '../common/validators/is-duration.validator';
import { parseDuration } from '../common/duration';
import { ValidateByType } from '../common/validators/validate-record';

/** `jobsRepository.config` for `type: "file"`. */
export class FileRepositoryOptions {
  @IsString()
  @IsNotEmpty()
  path: string;
}

/** `jobsRepository.config` for `type: "s3"`: the original's keys plus S3-compatible store options. */
export class S3RepositoryOptions extends AwsServiceOptions {
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: '$property must be an S3 bucket name' })
  bucket: string;

  /**
   * Key prefix: keys are `<prefix>/<org>/...` exactly as the original made them, so an empty or
   * absent prefix gives keys starting with "/".
   */
  @IsOptional()
  @IsString()
  // eslint-disable-next-line no-control-regex
  @Matches(/^[^\u0000-\u001f\u007f]{0,512}$/, {
    message: '$property must be at most 512 characters, without control characters',
  })
  prefix?: string;

  /** The original's S3 session token, used with `akid` and `secret`. */
  @IsOptional()
  @IsString()
  token?: string;

  /** Path-style URLs, which S3-compatible stores (MinIO, Ceph, s3rver) usually need. */
  @IsOptional()
  @IsBoolean()
  forcePathStyle?: boolean;

  /**
   * The longest one S3 call may take, its retries included ("10s" by default, 1s to 2m): a
   * write to an S3 that hangs answers 503 after this rather than holding the request.
   */
  @IsOptional()
  @IsDurationBetween('1s', '2m')
  timeout?: string;
}

export const REPOSITORY_TYPES = ['file', 's3'] as const;

/** `jobsRepository`: where jobs are stored, and how often the scheduler reloads them. */
export class RepositoryDefinition {
  @IsIn(REPOSITORY_TYPES, { message: `$property must be one of: ${REPOSITORY_TYPES.join(', ')}` })
  type: string;

  @IsOptional()
  @IsDuration()
  refreshInterval?: string;

  @ValidateByType({ file: FileRepositoryOptions, s3: S3RepositoryOptions })
  config: Record<string, unknown>;
}

export interface S3Settings {
  readonly aws: AwsClientSettings;
  readonly bucket: string;
  /** As configured ("" when absent): keys are `<prefix>/<org>/...`. */
  readonly prefix: string;
  readonly forcePathStyle: boolean;
  /** `timeout`: one call (its SDK retries included) is abandoned after this. */
  readonly timeoutMs: number;
}

/** Where jobs are stored. */
export type RepositoryStore =
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 's3'; readonly s3: S3Settings };

/** `jobsRepository`, resolved: the repository's settings slice (DI token). */
export abstract class RepositorySettings {
  /** Every job's key starts with it: `<org>/<account>/<group>/<id>`. */
  abstract readonly org: string;
  abstract readonly store: RepositoryStore;
  /** How often every job is reloaded into the scheduler's cache. */
  abstract readonly refreshIntervalMs: number;
}

const DEFAULT_REFRESH_MS = 5 * 60_000;
export const DEFAULT_S3_TIMEOUT_MS = 10_000;

export function repositorySettings(def: RepositoryDefinition, org: string): RepositorySettings {
  const refreshIntervalMs =
    (def.refreshInterval && parseDuration(def.refreshInterval)) || DEFAULT_REFRESH_MS;
  // `config` was validated as the class of `type` (ValidateByType); read it as that class.
  if (def.type === 'file') {
    const path = plainToInstance(FileRepositoryOptions, def.config).path;
    return { org, store: { type: 'file', path }, refreshIntervalMs };
  }
  const o = plainToInstance(S3RepositoryOptions, def.config);
  const timeoutMs = (o.timeout && parseDuration(o.timeout)) || DEFAULT_S3_TIMEOUT_MS;
  const s3: S3Settings = {
    aws: awsClientSettings(o),
    bucket: o.bucket,
    prefix: o.prefix ?? '',
    forcePathStyle: o.forcePathStyle === true,
    timeoutMs,
  };
  return { org, store: { type: 's3', s3 }, refreshIntervalMs };
}
