import { DynamicModule, Global, Logger, Module, Provider } from '@nestjs/common';
import { AuditSettings } from '../audit/audit.config';
import { AuthSettings } from '../auth/auth.config';
import { CalendarSettings } from '../calendars/calendars.config';
import { Clock, ScaledClock, SystemClock } from '../common/clock';
import { ConsoleSettings } from '../console/console.config';
import { CoordinationSettings } from '../coordination/coordination.config';
import { Accounts } from '../domain/accounts';
import { JobCacheSettings } from '../job-cache/job-cache.config';
import { RunLogSettings } from '../job-log/job-log.config';
import { NotificationSettings } from '../notifications/notifications.config';
import { RepositorySettings } from '../repository/repository.config';
import { JobRunnersSettings } from '../runners/runners.config';
import { RunSettings } from '../runs/runs.config';
import { SchedulerSettings } from '../scheduler/scheduler.config';
import { MinionSettings } from './settings';

/** Warnings about the configuration (unknown keys, values read leniently), through the app logger. */
export function logConfigNotes(settings: MinionSettings): void {
  const logger = new Logger('Config');
  for (const note of settings.notes) logger.warn(note);
}

/** Each settings slice under its own token: the feature that owns it injects that, nothing more. */
function slices(s: MinionSettings): Provider[] {
  return [
    { provide: Accounts, useValue: new Accounts(s.accounts) },
    { provide: JobRunnersSettings, useValue: s.runners },
    { provide: RepositorySettings, useValue: s.repository },
    { provide: RunLogSettings, useValue: s.runLog },
    { provide: AuditSettings, useValue: s.audit },
    { provide: CoordinationSettings, useValue: s.coordination },
    { provide: SchedulerSettings, useValue: s.scheduler },
    { provide: RunSettings, useValue: s.runs },
    { provide: JobCacheSettings, useValue: s.jobCache },
    { provide: NotificationSettings, useValue: s.notifications },
    { provide: AuthSettings, useValue: s.auth },
    { provide: CalendarSettings, useValue: s.calendars },
    { provide: ConsoleSettings, useValue: s.console },
  ];
}

/**
 * The resolved settings (whole, for main.ts and tests; by slice, for the features) and the
 * `Clock`: the one global module (everything else is imported where it is used). Tests replace
 * the clock with `overrideProvider`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    const providers: Provider[] = [
      { provide: MinionSettings, useValue: settings },
      // The system's clock; the fault suite's test clock only when MINION_TEST_CLOCK is set.
      {
        provide: Clock,
        useValue: settings.testClock
          ? new ScaledClock(
              settings.testClock.atMs,
              settings.testClock.realMs,
              settings.testClock.speed,
            )
          : new SystemClock(),
      },
      ...slices(settings),
    ];
    return {
      module: ConfigModule,
      providers,
      exports: providers.map((p) => (p as { provide: unknown }).provide as never),
    };
  }
}
