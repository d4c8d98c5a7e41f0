/**
 * One minion replica in its own process, for the crash-recovery test: the real app with the
 * test runners, no ticking, config from REPLICA_CONFIG. Prints READY once its worker runs, and
 * RUNNING <job id> when a `crash-me` run starts (then hangs until it is killed).
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/config/config.loader';
import { MinionConfig } from '../../src/config/minion-config';
import { RunnerRegistry } from '../../src/runners/runner-registry';
import { MinuteTicker } from '../../src/scheduler/minute-ticker';
import { SchedulerService } from '../../src/scheduler/scheduler.service';
import { ManualTicker } from './manual-clock';
import { TEST_RUNNER_TYPES } from './test-runners';

async function main(): Promise<void> {
  process.env.MINION_REPLICA_CHILD = '1';
  const config = loadConfig({
    argv: [],
    env: { API_CONFIG: process.env.REPLICA_CONFIG },
    cwd: '/',
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(MinionConfig)
    .useValue(config)
    .overrideProvider(MinuteTicker)
    .useValue(new ManualTicker())
    .overrideProvider(RunnerRegistry)
    .useValue(RunnerRegistry.fromConfig(config, TEST_RUNNER_TYPES))
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  await app.get(SchedulerService).ready();
  process.stdout.write('READY\n');
}

main().catch((err: Error) => {
  process.stderr.write(`replica failed: ${err.stack}\n`);
  process.exit(1);
});
