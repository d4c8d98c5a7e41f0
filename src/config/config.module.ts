import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { MinionSettings } from './settings';

/** Warnings about the configuration (unknown keys, values read leniently), through the app logger. */
export function logConfigNotes(settings: MinionSettings): void {
  const logger = new Logger('Config');
  for (const note of settings.notes) logger.warn(note);
}

/**
 * The resolved settings and the `Clock`, for every module: the one global module (everything
 * else is imported where it is used). Tests replace the clock with `overrideProvider`.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(settings: MinionSettings): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: MinionSettings, useValue: settings },
        { provide: Clock, useClass: SystemClock },
      ],
      exports: [MinionSettings, Clock],
    };
  }
}
