import { createTestApp, removeDir, tempDir, TestApp, testConfig } from './test-app';

/** What `createTestApp` takes. */
export type TestAppOptions = NonNullable<Parameters<typeof createTestApp>[0]>;

export type StartTestAppOptions = Omit<TestAppOptions, 'dataDir' | 'config'> & {
  /** The temp data dir's name prefix (default `tempDir`'s). */
  dataDirPrefix?: string;
  /** The config as a user would write it, over `testConfig`'s defaults for the new data dir. */
  config?: Record<string, unknown>;
};

/**
 * A test app on a temp data dir of its own, configured with `testConfig(dataDir, config)`:
 * what a `beforeEach`/`beforeAll` (or a test) starts. `stopTestApp` undoes it.
 */
export async function startTestApp(options: StartTestAppOptions = {}): Promise<TestApp> {
  const { dataDirPrefix, config, ...rest } = options;
  const dataDir = tempDir(dataDirPrefix);
  try {
    return await createTestApp({ ...rest, dataDir, config: testConfig(dataDir, config) });
  } catch (e) {
    removeDir(dataDir);
    throw e;
  }
}

/**
 * Closes a test app and removes its data dir (nothing for `undefined`: a test that started
 * none): the `afterEach`/`afterAll` of `startTestApp`, and of an app a test started on the same
 * data dir again.
 */
export async function stopTestApp(t: TestApp | undefined): Promise<void> {
  if (!t) return;
  await t.close();
  removeDir(t.dataDir);
}
