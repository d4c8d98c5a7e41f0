import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { killProcess } from './build-app';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

/** Synchronous PING (jest decides at load time which suites run), without redis-cli. */
function pings(port: number): boolean {
  const script =
    `const s=require('net').connect(${port},'${REDIS_HOST}');s.setTimeout(1500,()=>process.exit(1));` +
    `s.on('error',()=>process.exit(1));s.on('connect',()=>s.write('PING\\r\\n'));` +
    `s.on('data',d=>process.exit(String(d).startsWith('+PONG')?0:1));`;
  return spawnSync(process.execPath, ['-e', script], { timeout: 4000 }).status === 0;
}

export const REDIS_UP = pings(REDIS_PORT);

/**
 * `describe` for suites that need Redis on 127.0.0.1:6379. Without it: under CI=true the suite
 * fails (CI must have Redis: .ci/run starts one); locally it is skipped with a warning that says
 * why, so nobody mistakes a machine without Redis for a passing distributed mode.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (REDIS_UP) {
    describe(name, fn);
    return;
  }
  const why = `Redis is not reachable on ${REDIS_HOST}:${REDIS_PORT}`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Redis', () => {
        throw new Error(`${why} and CI=true: start redis-server (.ci/run does)`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": ${why}. Start redis-server to run the distributed-mode tests.`);
  // Skipped on purpose, and said so above: these tests need a Redis server (under CI they fail).
  describe.skip(name, fn); // reason: no Redis on this machine outside CI
}

/** A key prefix of one's own, and the deletion of every key under it. */
export function uniquePrefix(): string {
  return `minion-test-${randomUUID().slice(0, 8)}`;
}

export async function deleteKeys(prefix: string, port = REDIS_PORT): Promise<void> {
  const redis = new Redis({ host: REDIS_HOST, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The `queueProvider` entry a test config uses. */
export function redisQueueProvider(
  keyPrefix: string,
  port = REDIS_PORT,
  extra: Record<string, unknown> = {},
) {
  return { type: 'redis', config: { host: REDIS_HOST, port, database: 0, keyPrefix, ...extra } };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, REDIS_HOST, r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export const REDIS_SERVER_AVAILABLE = spawnSync('redis-server', ['--version']).status === 0;

/**
 * A private redis-server on a free port, with an append-only file synced on every write, so it
 * can be killed and started again without losing what it held (as a production Redis must).
 */
export class PrivateRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'minion-redis-')));
    await redis.launch();
    return redis;
  }

  async launch(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        REDIS_HOST,
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30_000;
    while (!pings(this.port)) {
      if (Date.now() > deadline) throw new Error('private redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Frozen (SIGSTOP): connections stay open and nothing answers, as behind a dead network. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Killed hard: what was acknowledged is on disk (appendfsync always). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await killProcess(child);
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
