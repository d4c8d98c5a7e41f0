import { Global, Logger, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { loadConfig } from './config.loader';
import { MinionConfig } from './minion-config';

let preloaded: MinionConfig | undefined;

/**
 * Loads and validates the configuration before the app is built (main.ts), so a bad key stops
 * the process with one line naming it rather than a dependency-injection stack trace.
 */
export function preloadConfig(): MinionConfig {
  return useConfig(loadConfig());
}

/** The configuration the app will use (a script building the app on a fixed config). */
export function useConfig(config: MinionConfig): MinionConfig {
  preloaded = config;
  return config;
}

/** The configuration, loaded once; says at startup what it accepted leniently or ignored. */
export function configFactory(): MinionConfig {
  const config = preloaded ?? loadConfig();
  const logger = new Logger('Config');
  for (const note of config.notes) logger.warn(note);
  return config;
}

/**
 * Provides the validated `MinionConfig` (loaded once; a bad key stops startup) and the `Clock`.
 * Tests replace either with `overrideProvider`.
 */
@Global()
@Module({
  providers: [
    { provide: MinionConfig, useFactory: configFactory },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [MinionConfig, Clock],
})
export class ConfigModule {}
