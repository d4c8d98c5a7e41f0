import 'reflect-metadata';
import { Transform } from 'class-transformer';
import {
  Allow,
  ArrayUnique,
  IsBoolean,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  Max,
  Min,
  IsObject,
  IsOptional,
  Length,
  IsString,
  Matches,
  ValidateIf,
} from 'class-validator';
import { IsSafeSegment } from '../common/validators/is-safe-segment.validator';
import { NestedObject } from '../common/validators/nested.decorators';
import { parseDuration } from './duration';
import { ListenAddress, parseListenAddress } from './listen-address';
import { toRecordOf, ValidateByType, ValidateRecordOf } from './validate-record';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Go-style duration: "90s", "5m", "1h30m". */
const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const DURATION_MESSAGE = '$property must be a duration such as "90s", "5m" or "1h30m"';

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const AWS_REGION_MESSAGE = '$property must be an AWS region such as us-east-1';

/** `jobRunners.<name>`: a runner instance of a given type with its type-specific config. */
export class RunnerDefinition {
  @IsString()
  @IsNotEmpty()
  type: string;

  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;
}

/** `accounts.<name>`: which runners the account may use, and how to reach its AWS resources. */
export class AccountDefinition {
  @IsArray()
  @ArrayUnique()
  @IsString({ each: true })
  runners: string[];

  /** AWS region of the account's resources; else the SDK's default (AWS_REGION, profile). */
  @IsOptional()
  @Matches(AWS_REGION, { message: AWS_REGION_MESSAGE })
  region?: string;

  /** IAM role the AWS runners assume for this account; else the default credential chain. */
  @IsOptional()
  @Matches(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    message: '$property must be an IAM role ARN such as arn:aws:iam::123456789012:role/minion',
  })
  role_arn?: string;

  @IsOptional()
  @IsString()
  @Length(2, 1224)
  external_id?: string;

  @IsOptional()
  @Matches(/^[\w+=,.@-]{2,64}$/, {
    message: '$property must be 2-64 characters of letters, digits and +=,.@_-',
  })
  session_name?: string;
}

/** `jobsRepository.config` for `type: "file"`. */
export class FileRepositoryOptions {
  @IsString()
  @IsNotEmpty()
  path: string;
}

/** What an AWS SDK client of minion's storage needs: the original's `region`, `akid`, `secret`, and an endpoint. */
export class AwsServiceOptions {
  @IsOptional()
  @Matches(AWS_REGION, { message: AWS_REGION_MESSAGE })
  region?: string;

  /**
   * For compatible or local endpoints; the SDK's AWS_ENDPOINT_URL_* variables work too. Without a
   * scheme (`s3.example.com`, as the original's SDK took it) it means https.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: '$property must be an http(s) URL' })
  endpoint?: string;

  /** Static credentials; else (absent or empty, as in the original) the default AWS credential chain. */
  @IsOptional()
  @IsString()
  akid?: string;

  @IsOptional()
  @IsString()
  secret?: string;
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
}

export const REPOSITORY_TYPES = ['file', 's3'] as const;
export const LOG_PROVIDER_TYPES = ['file', 'cloudwatch'] as const;

export class RepositoryDefinition {
  @IsIn(REPOSITORY_TYPES, { message: `$property must be one of: ${REPOSITORY_TYPES.join(', ')}` })
  type: string;

  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  refreshInterval?: string;

  @ValidateByType({ file: FileRepositoryOptions, s3: S3RepositoryOptions })
  config: Record<string, unknown>;

  /** How often the scheduler reloads every job from the repository (default 5m). */
  get refreshIntervalMs(): number {
    return (this.refreshInterval && parseDuration(this.refreshInterval)) || DEFAULT_REFRESH_MS;
  }
}

const DEFAULT_REFRESH_MS = 5 * 60_000;

/** `scheduler`: minion's additions for the scheduling engine (all optional). */
export class SchedulerOptions {
  /** Missed minutes younger than this are still run after downtime; older ones are recorded as missed. */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  catchUpWindow?: string;

  /** Runs executing at once in this process. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  concurrency?: number;

  /** Attempts per occurrence, the first included. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  attempts?: number;

  /** Pause between attempts. */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  retryDelay?: string;

  /** A run still going after this is aborted (its runner gets the abort signal) and fails. */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  runTimeout?: string;

  /**
   * On SIGTERM, how long readiness answers 503 while the API keeps serving, before minion stops
   * taking occurrences (the time a load balancer needs to stop sending requests). Default "5s".
   */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  drainDelay?: string;

  /** On SIGTERM, how long in-flight runs may take to finish before they are aborted. */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  shutdownTimeout?: string;

  /** Parallel repository reads while loading the job cache. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  loadConcurrency?: number;

  /** How many runs each job's file run log keeps at least (older ones are trimmed). */
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(1_000_000)
  keepRuns?: number;
}

/** Resolved scheduler settings, with defaults. */
export interface SchedulerSettings {
  catchUpWindowMs: number;
  concurrency: number;
  attempts: number;
  retryDelayMs: number;
  runTimeoutMs: number;
  shutdownTimeoutMs: number;
  drainDelayMs: number;
  loadConcurrency: number;
  keepRuns: number;
}

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

/** `logProvider`: where run history goes. `file` (default) keeps JSON lines; `cloudwatch` uses CloudWatch Logs. */
export class LogProviderDefinition {
  @IsIn(LOG_PROVIDER_TYPES, {
    message: `$property must be one of: ${LOG_PROVIDER_TYPES.join(', ')}`,
  })
  type: string;

  @IsOptional()
  @ValidateByType({ file: FileLogOptions, cloudwatch: CloudWatchLogOptions })
  config?: Record<string, unknown>;
}

/** `queueProvider.config` (and `lockProvider.config`) for `type: "redis"`: the original's keys plus minion's. */
export class RedisProviderOptions {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  host?: string;

  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @IsOptional()
  @IsString()
  password?: string;

  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value,
  )
  @IsInt()
  @Min(0)
  @Max(1024)
  database?: number;

  /** `redis://[:password@]host:port/db` or `rediss://` (TLS); overrides host, port, password, database. */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: '$property must be a redis:// or rediss:// URL' })
  url?: string;

  /** Namespace of every key (then `:<org>:`), so several minions can share one Redis. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: '$property may hold letters, digits and _ . - (at most 64)',
  })
  keyPrefix?: string;

  /** How long a run's lock lives without renewal before BullMQ calls the run stalled (ms, default 30000). */
  @IsOptional()
  @IsInt()
  @Min(500)
  lockDuration?: number;

  /** How often workers look for stalled runs (ms, default 30000). */
  @IsOptional()
  @IsInt()
  @Min(500)
  stalledInterval?: number;
}

export const QUEUE_PROVIDER_TYPES = ['memory', 'redis'] as const;

/** The original's `queueProvider` / `lockProvider` entries. */
export class ProviderDefinition {
  @IsIn(QUEUE_PROVIDER_TYPES, {
    message: `$property must be one of: ${QUEUE_PROVIDER_TYPES.join(', ')}`,
  })
  type: string;

  @IsOptional()
  @ValidateByType({ redis: RedisProviderOptions })
  config?: Record<string, unknown>;

  /** The original's `lockProvider.ttl`: accepted; minion needs no per-minute lock (said at startup). */
  @IsOptional()
  @IsString()
  ttl?: string;
}

/** `eventReporters.slack`: the original's Slack incoming webhook reporter. */
export class SlackReporterOptions {
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s) URL' })
  endpoint: string;

  @IsOptional()
  @IsString()
  channel?: string;

  @IsOptional()
  @IsString()
  icon?: string;

  @IsOptional()
  @IsString()
  username?: string;
}

/** `eventReporters.webhook`: minion's generic JSON webhook, signed with HMAC-SHA256. */
export class WebhookReporterOptions {
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s) URL' })
  url: string;

  /** Key of the `X-Minion-Signature-256` header; without it, deliveries are not signed. */
  @IsOptional()
  @IsString()
  @Length(16, 1024)
  secret?: string;
}

/** `eventReporters`: a map from reporter kind to its settings, as in the original. */
export class EventReportersDefinition {
  @IsOptional()
  @NestedObject(() => SlackReporterOptions)
  slack?: SlackReporterOptions;

  @IsOptional()
  @NestedObject(() => WebhookReporterOptions)
  webhook?: WebhookReporterOptions;

  /** The original's e-mail reporter: not supported (a startup warning says so). */
  @IsOptional()
  @Allow()
  email?: unknown;

  /** Retries of one delivery after the first try (default 4). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  retries?: number;

  /** First pause before a retry, doubling up to 30s (default "1s"). */
  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  retryDelay?: string;

  /** Deliveries waiting at most; beyond it the oldest are dropped and counted (default 1000). */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(100_000)
  bufferSize?: number;
}

/** `auth`: limits that keep authentication cheap for the server. */
export class AuthOptions {
  /** bcrypt hashes in X-Auth-Token costlier than this are refused unchecked (default 12). */
  @IsOptional()
  @IsInt()
  @Min(4)
  @Max(16)
  maxBcryptCost?: number;

  /** bcrypt checks running at once; beyond it a request is answered 429 (default 2). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(64)
  bcryptConcurrency?: number;

  /** Failed authentications per client address within `failureWindow` before 429 (default 10). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  failureLimit?: number;

  @IsOptional()
  @Matches(DURATION_PATTERN, { message: DURATION_MESSAGE })
  failureWindow?: string;
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

  /** Any form Go's listener took: ":8080", "0.0.0.0:8080", "[::]:8080", "localhost:8080". */
  @ListenAddress()
  listenAddress: string;

  @IsIn(LOG_LEVELS, { message: `$property must be one of: ${LOG_LEVELS.join(', ')}` })
  logLevel: LogLevel;

  @Transform(({ value }) => toRecordOf(AccountDefinition, value))
  @ValidateRecordOf(AccountDefinition)
  accounts: Record<string, AccountDefinition>;

  @Transform(({ value }) => toRecordOf(RunnerDefinition, value))
  @ValidateRecordOf(RunnerDefinition)
  jobRunners: Record<string, RunnerDefinition>;

  @NestedObject(() => RepositoryDefinition)
  jobsRepository: RepositoryDefinition;

  @IsOptional()
  @NestedObject(() => ProviderDefinition)
  queueProvider?: ProviderDefinition;

  @IsOptional()
  @NestedObject(() => ProviderDefinition)
  lockProvider?: ProviderDefinition;

  @IsOptional()
  @NestedObject(() => LogProviderDefinition)
  logProvider?: LogProviderDefinition;

  @IsOptional()
  @NestedObject(() => SchedulerOptions)
  scheduler?: SchedulerOptions;

  /** Failure alerts: the original's `slack`, and minion's `webhook`. */
  @IsOptional()
  @NestedObject(() => EventReportersDefinition)
  eventReporters?: EventReportersDefinition;

  /** How requests authenticate: bcrypt limits and throttling of failures. */
  @IsOptional()
  @NestedObject(() => AuthOptions)
  auth?: AuthOptions;

  /**
   * Express's "trust proxy": behind a load balancer, which hops of X-Forwarded-For to believe
   * for the client address (auth failure throttling counts per address). Default false.
   */
  @IsOptional()
  @ValidateIf((_, v) => typeof v !== 'boolean')
  @ValidateIf((_, v) => typeof v !== 'number')
  @IsString({ message: '$property must be true, false, a number of hops, or addresses' })
  trustProxy?: boolean | number | string;

  /** The original's build information object: ignored (minion's version comes from its build). */
  @IsOptional()
  @Allow()
  version?: unknown;

  /** What the loader noticed and accepted: unknown keys, values it read leniently (logged at startup). */
  @Allow()
  notes: string[] = [];

  /** True when no token was configured and one was generated at startup (printed once). */
  @Allow()
  tokenGenerated = false;

  /** Local state (run logs, scheduler marker): the file repository's path, else ./data. */
  get dataDir(): string {
    const repo = this.jobsRepository;
    return repo.type === 'file'
      ? String(repo.config.path)
      : (process.env.MINION_DATA_DIR ?? './data');
  }

  get schedulerSettings(): SchedulerSettings {
    const s = this.scheduler ?? {};
    const ms = (text: string | undefined, fallback: number) =>
      (text && parseDuration(text)) || fallback;
    return {
      catchUpWindowMs: ms(s.catchUpWindow, 15 * 60_000),
      concurrency: s.concurrency ?? 16,
      attempts: s.attempts ?? 3,
      retryDelayMs: ms(s.retryDelay, 5_000),
      runTimeoutMs: ms(s.runTimeout, 5 * 60_000),
      shutdownTimeoutMs: ms(s.shutdownTimeout, 30_000),
      drainDelayMs: s.drainDelay === undefined ? 5_000 : (parseDuration(s.drainDelay) ?? 5_000),
      loadConcurrency: s.loadConcurrency ?? 32,
      keepRuns: s.keepRuns ?? 1000,
    };
  }

  get port(): number {
    return parseListenAddress(this.listenAddress)?.port ?? 8080;
  }

  /** undefined: every interface (IPv6 and IPv4), as Go listened on ":8080" and "[::]:8080". */
  get host(): string | undefined {
    return parseListenAddress(this.listenAddress)?.host;
  }
}
