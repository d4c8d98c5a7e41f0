import { auditSettings, AuditSettings } from '../audit/audit.config';
import { authSettings, AuthSettings } from '../auth/auth.config';
import { calendarSettings, CalendarSettings } from '../calendars/calendars.config';
import { consoleSettings, ConsoleSettings } from '../console/console.config';
import { coordinationSettings, CoordinationSettings } from '../coordination/coordination.config';
import { Account } from '../domain/accounts';
import { JobCacheSettings } from '../job-cache/job-cache.config';
import { runLogSettings, RunLogSettings } from '../job-log/job-log.config';
import { notificationSettings, NotificationSettings } from '../notifications/notifications.config';
import { repositorySettings, RepositorySettings } from '../repository/repository.config';
import { JobRunnersSettings } from '../runners/runners.config';
import { RunSettings } from '../runs/runs.config';
import { schedulerSettings, SchedulerSettings } from '../scheduler/scheduler.config';
import { parseListenAddress } from './listen-address';
import { LogLevel, MinionConfig } from './minion-config';

export interface HttpSettings {
  /** undefined: every interface, as Go's ":8080". */
  readonly host?: string;
  readonly port: number;
  readonly trustProxy: boolean | number | string;
}

/**
 * The configuration, resolved once at startup: defaults applied, each feature's part read into
 * that feature's settings slice, frozen. `ConfigModule` provides each slice under its own DI
 * token (the slice's abstract class), so a feature sees its slice and never this whole object:
 *
 * | config key(s)                         | slice (field)           | owner                |
 * | ------------------------------------- | ----------------------- | -------------------- |
 * | `accounts`                            | `Accounts` (accounts)   | src/domain           |
 * | `jobRunners`                          | `JobRunnersSettings`    | src/runners          |
 * | `jobsRepository`                      | `RepositorySettings`    | src/repository       |
 * | `logProvider`                         | `RunLogSettings` (runLog) | src/job-log        |
 * | `logProvider` (follows it)            | `AuditSettings`         | src/audit            |
 * | `queueProvider` + `scheduler` retries | `CoordinationSettings`  | src/coordination     |
 * | `scheduler`                           | `SchedulerSettings`     | src/scheduler        |
 * | `scheduler.runTimeout`                | `RunSettings` (runs)    | src/runs             |
 * | `scheduler.loadConcurrency`           | `JobCacheSettings`      | src/job-cache        |
 * | `eventReporters`                      | `NotificationSettings`  | src/notifications    |
 * | `token`, `apiKeys`, `auth`            | `AuthSettings`          | src/auth             |
 * | `calendars` (+ where jobs are stored) | `CalendarSettings`      | src/calendars        |
 * | `console`                             | `ConsoleSettings`       | src/console          |
 * | `listenAddress`, `trustProxy`         | `http` (main.ts, app.setup.ts)                 |
 *
 * `org` goes into every slice that names stored things after it; `dataDir` (the file
 * repository's path, else `MINION_DATA_DIR` or ./data) into those keeping local state.
 */
export class MinionSettings {
  readonly org: string;
  readonly token: string;
  /** True when no token was configured and one was generated at startup (printed once). */
  readonly tokenGenerated: boolean;
  readonly logLevel: LogLevel;
  readonly http: HttpSettings;
  readonly accounts: Readonly<Record<string, Account>>;
  readonly runners: JobRunnersSettings;
  readonly repository: RepositorySettings;
  readonly runLog: RunLogSettings;
  readonly audit: AuditSettings;
  readonly coordination: CoordinationSettings;
  readonly scheduler: SchedulerSettings;
  readonly runs: RunSettings;
  readonly jobCache: JobCacheSettings;
  readonly notifications: NotificationSettings;
  readonly auth: AuthSettings;
  readonly calendars: CalendarSettings;
  readonly console: ConsoleSettings;
  /** Local state (scheduler marker, SQLite run log and audit): the file repository's path, else ./data. */
  readonly dataDir: string;
  /** MINION_TEST_CLOCK (tests only, refused in production): see ScaledClock. */
  readonly testClock?: { atMs: number; realMs: number; speed: number };
  /** What the loader noticed and accepted: unknown keys, values read leniently (logged at startup). */
  readonly notes: readonly string[];

  constructor(values: Omit<MinionSettings, never>) {
    Object.assign(this, values);
    deepFreeze(this);
  }
}

export function resolveSettings(
  config: MinionConfig,
  extras: {
    tokenGenerated: boolean;
    notes: string[];
    env: Record<string, string | undefined>;
    testClock?: MinionSettings['testClock'];
  },
): MinionSettings {
  const org = config.org;
  const repository = repositorySettings(config.jobsRepository, org);
  const store = repository.store;
  const dataDir = store.type === 'file' ? store.path : (extras.env.MINION_DATA_DIR ?? './data');
  const scheduler = schedulerSettings(config.scheduler, repository.refreshIntervalMs);
  const listen = parseListenAddress(config.listenAddress) ?? { port: 8080 };
  const runLog = runLogSettings(config.logProvider, org, dataDir, scheduler.keepRuns);
  return new MinionSettings({
    org,
    token: config.token,
    tokenGenerated: extras.tokenGenerated,
    logLevel: config.logLevel,
    http: { host: listen.host, port: listen.port, trustProxy: config.trustProxy ?? false },
    accounts: copyRecord(config.accounts),
    runners: { runners: copyRecord(config.jobRunners) },
    repository,
    runLog,
    audit: auditSettings(runLog.store, org, dataDir),
    coordination: coordinationSettings(config.queueProvider, {
      org,
      dataDir,
      retry: { attempts: scheduler.attempts, delayMs: scheduler.retryDelayMs },
      runTimeoutMs: scheduler.runTimeoutMs,
      settleWithinMs: scheduler.catchUpWindowMs,
    }),
    scheduler,
    runs: {
      runTimeoutMs: scheduler.runTimeoutMs,
      attempts: scheduler.attempts,
      retryDelayMs: scheduler.retryDelayMs,
    },
    jobCache: { loadConcurrency: scheduler.loadConcurrency },
    notifications: notificationSettings(config.eventReporters, org),
    auth: authSettings(config.token, config.auth, config.apiKeys),
    calendars: calendarSettings(config.calendars, org, store),
    console: consoleSettings(config.console),
    dataDir,
    notes: [...extras.notes],
    ...(extras.testClock ? { testClock: extras.testClock } : {}),
  });
}

/** Plain copies of validated class instances, so freezing them touches nothing shared. */
function copyRecord<T extends object>(record: Record<string, T>): Record<string, T> {
  return structuredClone(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, { ...v }])));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
