import { authSettings, AuthSettings } from '../auth/auth.config';
import { calendarSettings, CalendarSettings } from '../calendars/calendars.config';
import { coordinationSettings, CoordinationSettings } from '../coordination/coordination.config';
import { runLogSettings, RunLogSettings } from '../job-log/job-log.config';
import { notificationSettings, NotificationSettings } from '../notifications/notifications.config';
import { repositorySettings, RepositorySettings } from '../repository/repository.config';
import { AccountSettings, RunnerSettings } from '../runners/runners.config';
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
 * The configuration, resolved once at startup: defaults applied, every driver's options read
 * into its own settings (a discriminated union per driver), frozen. What every part of the app
 * is given; the file's schema (`MinionConfig`) stays with the loader. Its own DI token.
 */
export class MinionSettings {
  readonly org: string;
  readonly token: string;
  /** True when no token was configured and one was generated at startup (printed once). */
  readonly tokenGenerated: boolean;
  readonly logLevel: LogLevel;
  readonly http: HttpSettings;
  readonly accounts: Readonly<Record<string, AccountSettings>>;
  readonly runners: Readonly<Record<string, RunnerSettings>>;
  readonly repository: RepositorySettings;
  readonly runLog: RunLogSettings;
  readonly coordination: CoordinationSettings;
  readonly scheduler: SchedulerSettings;
  readonly notifications: NotificationSettings;
  readonly auth: AuthSettings;
  readonly calendars: CalendarSettings;
  /** Local state (scheduler marker, file run log): the file repository's path, else ./data. */
  readonly dataDir: string;
  /** What the loader noticed and accepted: unknown keys, values read leniently (logged at startup). */
  readonly notes: readonly string[];

  constructor(values: Omit<MinionSettings, never>) {
    Object.assign(this, values);
    deepFreeze(this);
  }
}

export function resolveSettings(
  config: MinionConfig,
  extras: { tokenGenerated: boolean; notes: string[]; env: Record<string, string | undefined> },
): MinionSettings {
  const repository = repositorySettings(config.jobsRepository);
  const dataDir =
    repository.type === 'file' ? repository.path : (extras.env.MINION_DATA_DIR ?? './data');
  const scheduler = schedulerSettings(config.scheduler, repository.refreshIntervalMs);
  const listen = parseListenAddress(config.listenAddress) ?? { port: 8080 };
  return new MinionSettings({
    org: config.org,
    token: config.token,
    tokenGenerated: extras.tokenGenerated,
    logLevel: config.logLevel,
    http: { host: listen.host, port: listen.port, trustProxy: config.trustProxy ?? false },
    accounts: copyRecord(config.accounts),
    runners: copyRecord(config.jobRunners),
    repository,
    runLog: runLogSettings(config.logProvider, dataDir, scheduler.keepRuns),
    coordination: coordinationSettings(config.queueProvider, config.org),
    scheduler,
    notifications: notificationSettings(config.eventReporters),
    auth: authSettings(config.token, config.auth, config.apiKeys),
    calendars: calendarSettings(config.calendars),
    dataDir,
    notes: [...extras.notes],
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
