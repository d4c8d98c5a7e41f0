import { Global, Logger, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { loadConfig } from './config.loader';
import { MinionSettings } from './settings';

let preloaded: MinionSettings | undefined;

/**
 * Loads and validates the configuration before the app is built (main.ts), so a bad key stops
 * the process with one line naming it rather than a dependency-injection stack trace.
 */
export function preloadConfig(): MinionSettings {
  return useConfig(loadConfig());
}

/** The configuration the app will use (a script building the app on a fixed config). */
export function useConfig(config: MinionSettings): MinionSettings {
  preloaded = config;
  return config;
}

/** The configuration, loaded once; says at startup what it accepted leniently or ignored. */
export function configFactory(): MinionSettings {
  const config = preloaded ?? loadConfig();
  const logger = new Logger('Config');
  for (const note of config.notes) logger.warn(note);
  return config;
}

/**
 * Provides the validated `MinionSettings` (loaded once; a bad key stops startup) and the `Clock`.
 * Tests replace either with `overrideProvider`.
 */
@Global()
@Module({
  providers: [
    { provide: MinionSettings, useFactory: configFactory },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [MinionSettings, Clock],
})
export class ConfigModule {}
