import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import { MinionSettings } from './config/settings';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
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

/** Paths probed every few seconds: logging each request would drown everything else. */
const QUIET_PATHS = /\/v1\/minion\/(health\/|metrics|ping)/;

/**
 * The app, built for one configuration: the features it is made of, each importing what it uses
 * (ConfigModule, the settings and the clock, is the only global one).
 */
@Module({})
export class AppModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        LoggerModule.forRootAsync({
          inject: [MinionSettings],
          useFactory: (config: MinionSettings) => ({
            // Named wildcard: Express 5's path-to-regexp no longer accepts a bare "*".
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: config.logLevel,
              // Secrets never reach the logs, whatever the level.
              redact: {
                paths: [
                  'req.headers["x-auth-token"]',
                  'req.headers.authorization',
                  'req.headers.cookie',
                ],
                censor: '[redacted]',
              },
              autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
              transport: prettyOnTerminal(),
            },
          }),
        }),
        MetricsModule,
        AuthModule,
        JobsModule.forRoot(settings),
        SchedulerModule.forRoot(settings),
        HealthModule.forRoot(settings),
      ],
    };
  }
}
