import { Module } from '@nestjs/common';
import { MinionSettings } from '../config/settings';
import { RunnerRegistry } from './runner-registry';

@Module({
  providers: [
    {
      provide: RunnerRegistry,
      useFactory: (settings: MinionSettings) => RunnerRegistry.fromConfig(settings),
      inject: [MinionSettings],
    },
  ],
  exports: [RunnerRegistry],
})
export class RunnersModule {}
