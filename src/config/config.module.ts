import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '../common/clock';
import { loadConfig } from './config.loader';
import { MinionConfig } from './minion-config';

/**
 * Provides the validated `MinionConfig` (loaded once; a bad key stops startup) and the `Clock`.
 * Tests replace either with `overrideProvider`.
 */
@Global()
@Module({
  providers: [
    { provide: MinionConfig, useFactory: () => loadConfig() },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [MinionConfig, Clock],
})
export class ConfigModule {}
