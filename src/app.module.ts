import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import { MinionConfig } from './config/minion-config';
import { HealthModule } from './health/health.module';
import { JobLogModule } from './job-log/job-log.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { RepositoryModule } from './repository/repository.module';
import { RunnersModule } from './runners/runners.module';
import { SchedulerModule } from './scheduler/scheduler.module';

/** Paths probed every few seconds: logging each request would drown everything else. */
const QUIET_PATHS = /\/v1\/minion\/(health\/|metrics|ping)/;

@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [MinionConfig],
      useFactory: (config: MinionConfig) => ({
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
        },
      }),
    }),
    MetricsModule,
    AuthModule,
    NotificationsModule,
    RepositoryModule,
    RunnersModule,
    JobLogModule,
    SchedulerModule,
    JobsModule,
    HealthModule,
  ],
})
export class AppModule {}
