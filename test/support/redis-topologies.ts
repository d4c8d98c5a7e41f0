import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { killProcess } from './build-app';
import { waitFor } from './manual-clock';

/**
 * Real Redis topologies on this machine for tests that need production's shapes: a primary with
 * a replica watched by Sentinels (failover), a Redis Cluster. Every process is started on the
 * port the caller gives (tests pick from their own range so parallel suites never collide) and
 * killed by `stop()`, which tests call in `afterAll`.
 */

const HOST = '127.0.0.1';
/** Starting a process or a topology on a loaded 2-core machine: generous. */
const START_DEADLINE_MS = 60_000;

/** A short-lived client to one process (sentinel or server); `quit` it after use. */
export function clientOf(port: number): Redis {
  const client = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // A process not up yet (or just killed) is an answer here, not an error to print.
  client.on('error', () => undefined);
  return client;
}

/** One command on one process, the client closed after; null when it does not answer. */
export async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const c = clientOf(port);
  try {
    await c.connect();
    return await c.call(String(args[0]), ...args.slice(1).map(String));
  } catch {
    return null;
  } finally {
    c.disconnect();
  }
}

/** A redis-server (or `redis-server --sentinel`) process started on `port` in a temp dir. */
export class RedisProcess {
  private child?: ChildProcess;
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly args: string[],
    readonly kind: 'server' | 'sentinel',
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `minion-${kind}-${port}-`));
  }

  /** A redis-server without persistence (unless `extra` asks for it), bound to 127.0.0.1. */
  static async server(port: number, extra: string[] = []): Promise<RedisProcess> {
    const p = new RedisProcess(port, extra, 'server');
    await p.launch();
    return p;
  }

  /** A Sentinel watching `primaryPort` under `name` (quorum 2: two sentinels must agree it is down). */
  static async sentinel(
    port: number,
    name: string,
    primaryPort: number,
    quorum = 2,
  ): Promise<RedisProcess> {
    const p = new RedisProcess(port, [], 'sentinel');
    writeFileSync(
      join(p.dir, 'sentinel.conf'),
      [
        `port ${port}`,
        `bind ${HOST}`,
        `dir ${p.dir}`,
        `sentinel monitor ${name} ${HOST} ${primaryPort} ${quorum}`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    await p.launch();
    return p;
  }

  async launch(): Promise<void> {
    const args =
      this.kind === 'sentinel'
        ? [join(this.dir, 'sentinel.conf'), '--sentinel']
        : [
            '--port',
            String(this.port),
            '--bind',
            HOST,
            '--dir',
            this.dir,
            '--save',
            '',
            '--appendonly',
            'no',
            ...this.args,
          ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(async () => (await ask(this.port, 'PING')) === 'PONG', START_DEADLINE_MS);
  }

  /** Killed hard (SIGKILL). */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    await killProcess(child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The `role` of a server: master or slave. */
async function roleOf(port: number): Promise<string | null> {
  const reply = await ask(port, 'ROLE');
  return Array.isArray(reply) ? String(reply[0]) : null;
}

export interface SentinelTopology {
  readonly name: string;
  readonly servers: RedisProcess[];
  readonly sentinels: RedisProcess[];
  /** `queueProvider.config` keys reaching it through the sentinels. */
  readonly config: { sentinels: { host: string; port: number }[]; name: string };
  /** The primary's port as the sentinels tell it now. */
  primaryPort(): Promise<number | null>;
  /**
   * `SENTINEL FAILOVER <name>` on the first sentinel, then waits until every sentinel names the
   * other server as primary and that server answers writes. Returns the new primary's port.
   */
  failover(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A primary on `ports.primary`, its replica on `ports.replica` and three sentinels on
 * `ports.sentinels`; resolves once the replica is in sync and every sentinel knows the replica
 * and the two other sentinels, so a failover can be asked for at once.
 */
export async function startSentinelTopology(ports: {
  primary: number;
  replica: number;
  sentinels: [number, number, number];
  name?: string;
}): Promise<SentinelTopology> {
  const name = ports.name ?? 'minion-primary';
  const started: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  };
  try {
    const primary = await RedisProcess.server(ports.primary);
    started.push(primary);
    const replica = await RedisProcess.server(ports.replica, [
      '--replicaof',
      HOST,
      String(ports.primary),
    ]);
    started.push(replica);
    await waitFor(async () => {
      const info = await ask(ports.replica, 'INFO', 'replication');
      return typeof info === 'string' && info.includes('master_link_status:up');
    }, START_DEADLINE_MS);
    const sentinels: RedisProcess[] = [];
    for (const port of ports.sentinels) {
      const s = await RedisProcess.sentinel(port, name, ports.primary);
      started.push(s);
      sentinels.push(s);
    }
    // Sentinels discover replicas from the primary's INFO (every 10 s) and each other over
    // pub/sub (every 2 s): a failover asked for before that finds no replica to promote.
    await waitFor(async () => {
      for (const port of ports.sentinels) {
        const replicas = await ask(port, 'SENTINEL', 'REPLICAS', name);
        const peers = await ask(port, 'SENTINEL', 'SENTINELS', name);
        if (!Array.isArray(replicas) || replicas.length < 1) return false;
        if (!Array.isArray(peers) || peers.length < 2) return false;
      }
      return true;
    }, START_DEADLINE_MS);
    const servers = [primary, replica];
    const primaryPort = async () => {
      const addr = await ask(ports.sentinels[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      return Array.isArray(addr) ? Number(addr[1]) : null;
    };
    return {
      name,
      servers,
      sentinels,
      config: { sentinels: ports.sentinels.map((port) => ({ host: HOST, port })), name },
      primaryPort,
      failover: async () => {
        const before = await primaryPort();
        const next = servers.map((s) => s.port).find((p) => p !== before);
        if (next === undefined) throw new Error('no replica to fail over to');
        // Under load a sentinel may find no good replica for a moment (-NOGOODSLAVE: its last
        // answer to the sentinel's INFO too old): ask again until one is accepted.
        await waitFor(
          async () => (await ask(ports.sentinels[0], 'SENTINEL', 'FAILOVER', name)) === 'OK',
          START_DEADLINE_MS,
        );
        await waitFor(async () => {
          for (const port of ports.sentinels) {
            const addr = await ask(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
            if (!Array.isArray(addr) || Number(addr[1]) !== next) return false;
          }
          return (await roleOf(next)) === 'master';
        }, START_DEADLINE_MS);
        return next;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface ClusterTopology {
  readonly masters: RedisProcess[];
  /** `queueProvider.config.cluster`: the seed nodes. */
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of masters only (no replicas) on `ports` (their bus ports are port + 10000),
 * created with `redis-cli --cluster create`; resolves once every node says `cluster_state:ok`.
 */
export async function startCluster(ports: number[]): Promise<ClusterTopology> {
  const started: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  };
  try {
    for (const port of ports) {
      started.push(
        await RedisProcess.server(port, [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ]),
      );
    }
    const create = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `${HOST}:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    create.stdout?.on('data', (d) => (output += String(d)));
    create.stderr?.on('data', (d) => (output += String(d)));
    const code = await new Promise<number | null>((r) => create.on('exit', r));
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}): ${output}`);
    await waitFor(async () => {
      for (const port of ports) {
        const info = await ask(port, 'CLUSTER', 'INFO');
        if (typeof info !== 'string' || !info.includes('cluster_state:ok')) return false;
      }
      return true;
    }, START_DEADLINE_MS);
    return { masters: [...started], nodes: ports.map((port) => ({ host: HOST, port })), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
