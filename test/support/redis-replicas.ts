import { MinionSettings } from '../../src/config/settings';
import { deleteKeys, redisQueueProvider, uniquePrefix } from './redis';
import { TestAppOptions } from './temp-test-app';
import { createTestApp, removeDir, tempDir, TestApp, testConfig } from './test-app';

/** Replicas of minion on the Redis at 127.0.0.1:6379 and one data dir, for one test at a time. */
export interface RedisReplicas {
  /** This test's data dir, shared by its replicas. */
  readonly dataDir: string;
  /** This test's Redis key prefix, shared by its replicas. */
  readonly prefix: string;
  /** The replicas started in this test and not closed by `closeAll`, in the order started. */
  readonly replicas: TestApp[];
  /** `testConfig` for the data dir: the Redis queue on the prefix, retryDelay 10ms, `extra`. */
  config(extra?: Record<string, unknown>): MinionSettings;
  /** Starts one replica on the data dir (with `config()` unless given a config). */
  start(options?: Omit<TestAppOptions, 'dataDir'>): Promise<TestApp>;
  /** Closes every replica started so far (the cluster going down; more may start after). */
  closeAll(): Promise<void>;
}

/**
 * Replicas on one Redis and one data dir for the enclosing `describe`: before each test a fresh
 * key prefix and temp data dir (named with `dataDirPrefix`); after it, every replica it started
 * is closed, the prefix's keys are deleted and the data dir is removed.
 */
export function useRedisReplicas(dataDirPrefix?: string): RedisReplicas {
  let dataDir = '';
  let prefix = '';
  const replicas: TestApp[] = [];

  const cluster: RedisReplicas = {
    get dataDir() {
      return dataDir;
    },
    get prefix() {
      return prefix;
    },
    replicas,
    config: (extra = {}) =>
      testConfig(dataDir, {
        queueProvider: redisQueueProvider(prefix),
        scheduler: { retryDelay: '10ms' },
        ...extra,
      }),
    start: async ({ config = cluster.config(), ...options } = {}) => {
      const replica = await createTestApp({ ...options, dataDir, config });
      replicas.push(replica);
      return replica;
    },
    closeAll: async () => {
      await Promise.all(replicas.splice(0).map((r) => r.close()));
    },
  };

  beforeEach(() => {
    prefix = uniquePrefix();
    dataDir = tempDir(dataDirPrefix);
  });

  afterEach(async () => {
    await cluster.closeAll();
    await deleteKeys(prefix);
    removeDir(dataDir);
  });

  return cluster;
}
