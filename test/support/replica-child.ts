import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RunRecord } from '../../src/domain/run-record';
import { JobKey } from '../../src/domain/job-key';
import { Occurrence } from '../../src/domain/occurrence';
import { BullMqJobQueue } from '../../src/coordination/redis/bullmq-job-queue';
import { RedisConnections } from '../../src/coordination/redis/redis-connections';
import { SqliteJobLog } from '../../src/job-log/sqlite-job-log';
import { MinionSettings } from '../../src/config/settings';
import { waitFor } from './manual-clock';
import { rawTestConfig, testConfig } from './test-app';

/** Writes a job file straight into a shared data dir (loaded at start by every replica). */
export function writeJob(
  dataDir: string,
  key: JobKey,
  expr: string,
  details: Record<string, string> = { runner: 'dummyRunner' },
  org = 'test',
): void {
  const dir = join(dataDir, org, key.account, key.group);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, key.id),
    JSON.stringify({
      account: key.account,
      description: '',
      details,
      group: key.group,
      id: key.id,
      modified_at: '',
      modified_by: '',
      name: key.id,
      schedule_expression: expr,
      enabled: true,
    }),
  );
}

/** Every run record of these jobs, newest first per job (read from the shared SQLite run log). */
export async function allRecords(
  dataDir: string,
  keys: JobKey[],
  org = 'test',
): Promise<RunRecord[]> {
  const log = new SqliteJobLog(join(dataDir, '.runs'), org, 1000);
  try {
    return (await Promise.all(keys.map((k) => log.list(k, 100_000)))).flat();
  } finally {
    await log.onApplicationShutdown();
  }
}

/** One replica in its own process (test/support/replica-main.ts), and what it printed. */
export interface ReplicaChild {
  child: ChildProcess;
  seen: string[];
  kill(): Promise<void>;
}

/** Starts a replica process on `config` (the test config's own JSON) and waits until it is ready. */
export async function startReplicaChild(config: MinionSettings): Promise<ReplicaChild> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'replica-main.ts')],
    {
      env: {
        ...process.env,
        REPLICA_CONFIG: JSON.stringify({ ...rawTestConfig(config), logLevel: 'silent' }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const seen: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => seen.push(l));
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor(() => seen.includes('READY'), 60_000);
  } catch (err) {
    await kill();
    throw err;
  }
  return { child, seen, kill };
}

/**
 * Puts occurrences on the Redis queue of `config` from a producer with no worker, so only the
 * replicas running take them.
 */
export async function enqueueOn(
  config: ReturnType<typeof testConfig>,
  occurrences: Occurrence[],
): Promise<void> {
  const backend = config.coordination.backend;
  if (backend.type !== 'redis') throw new Error('expected the Redis queue');
  const redis = new RedisConnections(backend.redis);
  const producer = new BullMqJobQueue(redis, { attempts: 3, delayMs: 10 }, 60_000);
  try {
    await producer.enqueue(occurrences);
  } finally {
    await producer.stop(1000);
    await redis.close();
  }
}
