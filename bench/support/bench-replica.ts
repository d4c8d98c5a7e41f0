/**
 * One replica for bench:distributed, in its own process: the real app on Redis, a manual clock
 * and ticker driven by the parent over IPC, a dummy runner that records when each run starts.
 * Messages in: {tick: iso} -> {ticked}, {report: true} -> {starts: [[occurrenceId, epochMs]]}.
 */
import 'reflect-metadata';
import { loadConfig } from '../../src/config/config.loader';
import { DummyRunner } from '../../src/runners/dummy.runner';
import { RunContext } from '../../src/runners/runner';
import { RUNNER_TYPES } from '../../src/runners/runner-registry';
import { SchedulerService } from '../../src/scheduler/scheduler.service';
import { buildMinionApp } from '../../test/support/build-app';
import { ManualClock } from '../../test/support/manual-clock';

const starts: [string, number][] = [];

class TimedDummy extends DummyRunner {
  override async run(ctx: RunContext): Promise<string> {
    starts.push([ctx.runId ?? '', Date.now()]);
    return super.run(ctx);
  }
}

async function main(): Promise<void> {
  const config = loadConfig({
    argv: [],
    env: { API_CONFIG: process.env.REPLICA_CONFIG },
    cwd: '/',
  });
  const clock = new ManualClock(process.env.REPLICA_START ?? '2026-01-05T09:59:30Z');
  const types = { ...RUNNER_TYPES, dummy: (name: string) => new TimedDummy(name) };
  const app = await buildMinionApp(config, { clock, runnerTypes: types, quiet: true });
  await app.init();
  const scheduler = app.get(SchedulerService);
  await scheduler.ready();
  process.on('message', async (message: { tick?: string; report?: boolean; close?: boolean }) => {
    if (message.tick) {
      clock.set(message.tick);
      const report = await scheduler.tick();
      process.send?.({ ticked: report?.enqueued ?? 0 });
    } else if (message.report) {
      process.send?.({ starts });
    } else if (message.close) {
      await app.close();
      process.exit(0);
    }
  });
  process.send?.({ ready: true, jobs: scheduler.indexedJobs });
}

main().catch((err: Error) => {
  process.stderr.write(`bench replica failed: ${err.stack}\n`);
  process.exit(1);
});
