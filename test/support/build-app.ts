import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import { ChildProcess } from 'node:child_process';
import { AppModule } from '../../src/app.module';
import { httpAdapterFor } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';
import { MinionSettings } from '../../src/config/settings';
import { RunnerFactory, RunnerRegistry } from '../../src/runners/runner-registry';
import { MinuteTicker } from '../../src/scheduler/minute-ticker';
import { ManualTicker } from './manual-clock';
import { TEST_RUNNER_TYPES } from './test-runners';

export interface BuildOptions {
  clock?: Clock;
  runnerTypes?: Record<string, RunnerFactory>;
  customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  quiet?: boolean;
}

/**
 * The real AppModule with what tests and benchmarks replace: the config, a ticker that never
 * ticks on its own, the runner types (test runners by default) and, optionally, the clock.
 * Returns the app not yet initialized.
 */
export async function buildMinionApp(
  config: MinionSettings,
  options: BuildOptions = {},
): Promise<NestFastifyApplication> {
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(MinuteTicker)
    .useValue(new ManualTicker())
    .overrideProvider(RunnerRegistry)
    .useValue(RunnerRegistry.fromConfig(config, options.runnerTypes ?? TEST_RUNNER_TYPES));
  if (options.clock) builder = builder.overrideProvider(Clock).useValue(options.clock);
  if (options.customize) builder = options.customize(builder);
  const moduleRef = await builder.compile();
  return moduleRef.createNestApplication<NestFastifyApplication>(httpAdapterFor(config), {
    bodyParser: false,
    ...(options.quiet ? { logger: false } : {}),
  });
}

/** SIGKILLs a child process and waits until it is gone. */
export async function killProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
