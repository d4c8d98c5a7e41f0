import { Global, Module } from '@nestjs/common';
import { MinionConfig } from '../config/minion-config';
import { RunnerRegistry } from './runner-registry';

@Global()
@Module({
  providers: [
    {
      provide: RunnerRegistry,
      useFactory: (config: MinionConfig) => RunnerRegistry.fromConfig(config),
      inject: [MinionConfig],
    },
  ],
  exports: [RunnerRegistry],
})
export class RunnersModule {}
