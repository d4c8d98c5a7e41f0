import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { createRootLogger, ROOT_LOGGER } from './common/http/request-logging';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { MinionSettings } from './config/settings';
import { HealthModule } from './health/health.module';
import { AuditModule } from './audit/audit.module';
import { CalendarsModule } from './calendars/calendars.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { ScheduleModule } from './schedule/schedule.module';
import { SchedulerModule } from './scheduler/scheduler.module';

/**
 * JSON lines everywhere (production, containers, CI); readable lines when a person watches a
 * terminal and pino-pretty (a dev dependency, absent from the image) is installed.
 */
function prettyOnTerminal() {
  if (!process.stdout.isTTY || process.env.NODE_ENV === 'production') return undefined;
  try {
    require.resolve('pino-pretty');
  } catch {
    return undefined;
  }
  return {
    target: 'pino-pretty',
    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
  };
}

/**
 * The app, built for one configuration: the features it is made of, each importing what it uses
 * (ConfigModule, the settings and the clock, is the only global one).
 */
@Module({})
export class AppModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    const rootLogger = createRootLogger(settings.logLevel, prettyOnTerminal());
    return {
      module: AppModule,
      providers: [{ provide: ROOT_LOGGER, useValue: rootLogger }],
      imports: [
        ConfigModule.forRoot(settings),
        LoggerModule.forRoot({
          // Nest's own logs only: the request lines come from `requestLogging` (app.setup.ts),
          // without pino-http's child logger and async context per request.
          forRoutes: [],
          pinoHttp: { logger: rootLogger },
        }),
        MetricsModule,
        AuthModule,
        JobsModule,
        AuditModule,
        CalendarsModule,
        ScheduleModule,
        SchedulerModule,
        HealthModule,
        ConsoleModule,
      ],
    };
  }
}
