import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsSafeSegment } from '../common/validators/is-safe-segment.validator';
import { parseDuration } from './duration';
import { toRecordOf, ValidateByType, ValidateRecordOf } from './validate-record';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Go-style duration: "90s", "5m", "1h30m". */
const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const DURATION_MESSAGE = '$property must be a duration such as "90s", "5m" or "1h30m"';

/** `jobRunners.<name>`: a runner instance of a given type with its type-specific config. */
export class RunnerDefinition {
  @IsString()
  @IsNotEmpty()
  type: string;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

/** `accounts.<name>`: which runners the account may use. */
export class AccountDefinition {
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  runners: string[];
}

/** `jobsRepository.config` for `type: "file"`. */
export class FileRepositoryOptions {
  @IsString()
  @IsNotEmpty()
  path: string;
}

export const REPOSITORY_TYPES = ['file'] as const;

export class RepositoryDefinition {
  @IsIn(REPOSITORY_TYPES, { message: `$property must be one of: ${REPOSITORY_TYPES.join(', ')}` })
  type: string;

  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  refreshInterval?: string;

  @ValidateByType({ file: FileRepositoryOptions })
  config: Record<string, unknown>;

  /** How often the scheduler reloads every job from the repository (default 5m). */
  get refreshIntervalMs(): number {
    return (this.refreshInterval && parseDuration(this.refreshInterval)) || DEFAULT_REFRESH_MS;
  }
}

const DEFAULT_REFRESH_MS = 5 * 60_000;

/** Connection settings of the original's `queueProvider` / `lockProvider` entries. */
export class ProviderDefinition {
  @IsString()
  type: string;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

/**
 * The validated configuration: the original `config.json` keys plus minion's additions.
 * Injected by class (it is its own DI token).
 */
export class MinionConfig {
  @IsSafeSegment()
  org: string;

  @IsString()
  @IsNotEmpty()
  token: string;

  @IsString()
  @Matches(/^[^:]*:\d{1,5}$/, { message: '$property must look like ":8080" or "127.0.0.1:8080"' })
  listenAddress: string;

  @IsIn(LOG_LEVELS, { message: `$property must be one of: ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevel;

  @Transform(({ value }) => toRecordOf(AccountDefinition, value))
  @ValidateRecordOf(AccountDefinition)
  accounts: Record<string, AccountDefinition>;

  @Transform(({ value }) => toRecordOf(RunnerDefinition, value))
  @ValidateRecordOf(RunnerDefinition)
  jobRunners: Record<string, RunnerDefinition>;

  @ValidateNested()
  @Type(() => RepositoryDefinition)
  jobsRepository: RepositoryDefinition;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderDefinition)
  queueProvider?: ProviderDefinition;

  @IsOptional()
  @ValidateNested()
  @Type(() => ProviderDefinition)
  lockProvider?: ProviderDefinition;

  @IsOptional()
  @IsObject()
  logProvider?: Record<string, unknown>;

  /** True when no token was configured and one was generated at startup (printed once). */
  @Allow()
  tokenGenerated = false;

  get port(): number {
    return Number(this.listenAddress.slice(this.listenAddress.lastIndexOf(':') + 1));
  }

  get host(): string | undefined {
    const host = this.listenAddress.slice(0, this.listenAddress.lastIndexOf(':'));
    return host === '' ? undefined : host;
  }
}
