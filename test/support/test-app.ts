import { TestingModuleBuilder } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/config.loader';
import { MinionSettings } from '../../src/config/settings';
import { SchedulerService } from '../../src/scheduler/scheduler.service';
import { RunnerFactory } from '../../src/runners/runner-registry';
import { buildMinionApp } from './build-app';
import { ManualClock } from './manual-clock';

export const TEST_TOKEN = 'test-token-0123456789';

export interface TestApp {
  app: NestFastifyApplication;
  config: MinionSettings;
  clock: ManualClock;
  scheduler: SchedulerService;
  dataDir: string;
  http: ReturnType<typeof request>;
  /** supertest agent pre-set with the token header */
  authed: {
    get: (url: string) => request.Test;
    post: (url: string) => request.Test;
    put: (url: string) => request.Test;
    patch: (url: string) => request.Test;
    delete: (url: string) => request.Test;
  };
  close: () => Promise<void>;
}

export function tempDir(prefix = 'minion-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const rawConfigs = new WeakMap<MinionSettings, Record<string, unknown>>();

/** A config as a user would write it, run through the real loader (and its validation). */
export function testConfig(
  dataDir: string,
  overrides: Record<string, unknown> = {},
): MinionSettings {
  const raw = {
    org: 'test',
    token: TEST_TOKEN,
    logLevel: 'silent',
    accounts: {
      acct1: { runners: ['dummyRunner', 'scriptedRunner'] },
      acct2: { runners: [] },
    },
    jobRunners: {
      dummyRunner: { type: 'dummy', config: { template: 'Hello, {{.Account}}!' } },
      scriptedRunner: { type: 'scripted' },
    },
    jobsRepository: { type: 'file', config: { path: dataDir } },
    scheduler: { retryDelay: '10ms' },
    ...overrides,
  };
  const settings = loadConfig({ argv: [], env: { API_CONFIG: JSON.stringify(raw) }, cwd: dataDir });
  rawConfigs.set(settings, raw);
  return settings;
}

/** The JSON a `testConfig` was loaded from (for a child process to load it again). */
export function rawTestConfig(settings: MinionSettings): Record<string, unknown> {
  const raw = rawConfigs.get(settings);
  if (!raw) throw new Error('not a testConfig');
  return raw;
}

export async function createTestApp(
  options: {
    dataDir?: string;
    config?: MinionSettings;
    clock?: ManualClock;
    /** Runner types by `type` (default: the test runners and the real ones). */
    runnerTypes?: Record<string, RunnerFactory>;
    customize?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
    /** Runs after the module is compiled and before the app starts (to spy on providers). */
    beforeInit?: (app: NestFastifyApplication) => void;
    /** Wait for the scheduler's first cache load (default true). */
    awaitScheduler?: boolean;
  } = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? tempDir();
  const config = options.config ?? testConfig(dataDir);
  const clock = options.clock ?? new ManualClock();
  const app = configureApp(
    await buildMinionApp(config, {
      clock,
      customize: options.customize,
      runnerTypes: options.runnerTypes,
    }),
  );
  options.beforeInit?.(app);
  await app.init();
  // Fastify answers once its plugins (CORS, the static files) are loaded.
  await app.getHttpAdapter().getInstance().ready();
  const scheduler = app.get(SchedulerService);
  if (options.awaitScheduler !== false) await scheduler.ready();
  const server = app.getHttpServer();
  const withToken = (t: request.Test) => t.set('X-Auth-Token', config.token);
  return {
    app,
    config,
    clock,
    scheduler,
    dataDir,
    http: request(server),
    authed: {
      get: (url) => withToken(request(server).get(url)),
      post: (url) => withToken(request(server).post(url)),
      put: (url) => withToken(request(server).put(url)),
      patch: (url) => withToken(request(server).patch(url)),
      delete: (url) => withToken(request(server).delete(url)),
    },
    close: async () => {
      await app.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The seed README's dummy job, verbatim. */
export const SEED_DUMMY_CREATE = {
  job: {
    description: 'Do some dumb thing to my server',
    details: { runner: 'dummyRunner' },
    group: 'space-xy',
    modified_by: 'someone',
    name: 'dummy-spin1234567',
    schedule_expression: '* * * ? *',
    enabled: true,
  },
  tags: [
    { key: 'foo', value: 'bar' },
    { key: 'baz', value: 'biz' },
  ],
};
