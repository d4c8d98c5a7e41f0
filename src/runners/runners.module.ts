import { Module } from '@nestjs/common';
import { Accounts } from '../domain/accounts';
import { RunnerRegistry } from './runner-registry';
import { JobRunnersSettings } from './runners.config';

/** The configured runners by name (`jobRunners`), with each account's allow-list. */
@Module({
  providers: [
    {
      provide: RunnerRegistry,
      useFactory: (accounts: Accounts, runners: JobRunnersSettings) =>
        RunnerRegistry.fromConfig({ accounts: accounts.asRecord(), runners }),
      inject: [Accounts, JobRunnersSettings],
    },
  ],
  exports: [RunnerRegistry],
})
export class RunnersModule {}
