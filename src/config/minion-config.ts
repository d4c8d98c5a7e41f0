import 'reflect-metadata';
import { Transform } from 'class-transformer';
import { Allow, IsIn, IsNotEmpty, IsOptional, IsString, ValidateIf } from 'class-validator';
import { ApiKeyDefinition } from '../auth/api-keys.config';
import { AuthOptions } from '../auth/auth.config';
import { CalendarsConfig } from '../calendars/calendars.config';
import { ConsoleOptions } from '../console/console.config';
import { ProviderDefinition } from '../coordination/coordination.config';
import { IsSafeSegment } from '../common/validators/is-safe-segment.validator';
import { NestedArray, NestedObject } from '../common/validators/nested.decorators';
import { LogProviderDefinition } from '../job-log/job-log.config';
import { EventReportersDefinition } from '../notifications/notifications.config';
import { RepositoryDefinition } from '../repository/repository.config';
import { AccountDefinition, RunnerDefinition } from '../runners/runners.config';
import { SchedulerOptions } from '../scheduler/scheduler.config';
import { ListenAddress } from './listen-address';
import { toRecordOf, ValidateRecordOf } from '../common/validators/validate-record';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The configuration file's schema: the original `config.json` keys plus minion's additions, each
 * feature's part defined next to that feature (`*.config.ts`). Validated once at startup, then
 * resolved into `MinionSettings`, which is what the app uses.
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

  /** Scoped API keys beside `token` (which keeps full access): accounts, groups, access level. */
  @IsOptional()
  @NestedArray(() => ApiKeyDefinition)
  apiKeys?: ApiKeyDefinition[];

  /** Blackout calendars by account and name (read-only over the API); checked in crossCheck. */
  @IsOptional()
  @Allow()
  calendars?: CalendarsConfig;

  /** The operator console under /v1/minion/ui/ (on by default; `enabled: false` turns it off). */
  @IsOptional()
  @NestedObject(() => ConsoleOptions)
  console?: ConsoleOptions;

  /** How requests authenticate: bcrypt limits and throttling of failures. */
  @IsOptional()
  @NestedObject(() => AuthOptions)
  auth?: AuthOptions;

  /**
   * Fastify's `trustProxy` (the same values as Express's "trust proxy"): behind a load balancer,
   * which hops of X-Forwarded-For to believe for the client address (auth failure throttling
   * counts per address). Default false.
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
}
