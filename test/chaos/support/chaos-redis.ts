import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

/** The fault suite's redis-servers listen on these ports (this suite's range on shared machines). */
const FIRST_PORT = 7200;
const LAST_PORT = 7299;

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port of the suite's range. */
export async function chaosPort(): Promise<number> {
  for (let port = FIRST_PORT; port <= LAST_PORT; port++) if (await isFree(port)) return port;
  throw new Error(`no free port in ${FIRST_PORT}-${LAST_PORT} for a chaos redis-server`);
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A redis-server of the fault suite, killed (SIGKILL) and started again on the same port and
 * directory. `appendonly`: with the append-only file synced on every write (what was
 * acknowledged survives a kill), or with no persistence at all (a restart starts empty).
 */
export class ChaosRedis {
  private child?: ChildProcess;

  private constructor(
    readonly port: number,
    readonly appendonly: boolean,
    private readonly dir: string,
  ) {}

  static async start(options: { appendonly: boolean }): Promise<ChaosRedis> {
    const redis = new ChaosRedis(
      await chaosPort(),
      options.appendonly,
      mkdtempSync(join(tmpdir(), 'minion-chaos-redis-')),
    );
    await redis.launch();
    return redis;
  }

  async launch(): Promise<void> {
    const persistence = this.appendonly
      ? ['--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        ...persistence,
      ],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + 30_000;
    while (!(await answers(this.port))) {
      if (this.child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Killed hard, as a crashed node: with appendonly, what was acknowledged is on disk. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
