/**
 * One minion replica in its own process, for the crash-recovery test: the real app with the
 * test runners, no ticking, config from REPLICA_CONFIG. Prints READY once its worker runs, and
 * RUNNING <job id> when a `crash-me` run starts (then hangs until it is killed).
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/config.loader';
import { SchedulerService } from '../../src/scheduler/scheduler.service';
import { buildMinionApp } from './build-app';

async function main(): Promise<void> {
  process.env.MINION_REPLICA_CHILD = '1';
  const config = loadConfig({
    argv: [],
    env: { API_CONFIG: process.env.REPLICA_CONFIG },
    cwd: '/',
  });
  const app = await buildMinionApp(config, { quiet: true });
  await app.init();
  await app.get(SchedulerService).ready();
  process.stdout.write('READY\n');
}

main().catch((err: Error) => {
  process.stderr.write(`replica failed: ${err.stack}\n`);
  process.exit(1);
});
