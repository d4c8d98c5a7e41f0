import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { minuteFloor, MINUTE_MS, ScaledClock } from '../../../src/common/clock';
import { RunRecord } from '../../../src/domain/run-record';
import { SqliteJobLog } from '../../../src/job-log/sqlite-job-log';
import { BuiltApp, BUILT_MAIN, startBuiltApp } from '../../support/built-app';
import { replicaKey } from './action-counter';

/** CHAOS_SHORT=1: the short form CI runs (smaller bursts, shorter freezes and outages). */
export const SHORT = process.env.CHAOS_SHORT === '1';
/**
 * CHAOS_BATCH_FROM=N: every scenario's replicas run with `queueProvider.config.batchFrom` N
 * (a tick of at least N occurrences queued in batches; the scenarios' bursts are 20 or more).
 */
export const BATCH_FROM = Number(process.env.CHAOS_BATCH_FROM ?? 0);

const ORG = 'chaos';
const ACCOUNT = 'spinup';
const GROUP = 'chaos';
const TOKEN = `chaos-${randomUUID()}`;
/** The test clock's start: every replica of a cluster reads it at the same real instant. */
const CLOCK_START = '2026-01-05T10:00:00Z';

/** Waits until `condition` holds, polling; fails naming `what` after `timeoutMs`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ClusterOptions {
  /** The fake AWS endpoint every replica calls (AWS_ENDPOINT_URL_*). */
  awsUrl: string;
  /** The redis-server every replica uses unless started with its own port (a proxy). */
  redisPort: number;
  /** Test clock speed (MINION_TEST_CLOCK): a minute lasts 60/speed real seconds. */
  speed: number;
  /** queueProvider.config.lockDuration / stalledInterval, in ms. */
  lockDuration: number;
  stalledInterval: number;
  /** scheduler.concurrency of each replica. */
  concurrency: number;
  /** Where Redis is, instead of `redisPort` (e.g. `sentinels` and `name`); other keys stay. */
  redisAddress?: Record<string, unknown>;
  /** queueProvider.config.batchFrom (default CHAOS_BATCH_FROM; 0: off). */
  batchFrom?: number;
}

/** One minion replica: dist/main.js in its own process, signing its AWS calls with its own key. */
export interface ChaosReplica {
  name: string;
  /** Its AWS access key: the endpoint tells its calls apart by it. */
  key: string;
  app: BuiltApp;
  /** GET /health/ready's status (0 when it does not answer). */
  readiness(): Promise<number>;
  /** SIGSTOP: frozen, its sockets open, its timers still; SIGCONT resumes it. */
  freeze(): void;
  thaw(): void;
}

/**
 * Replicas of minion started from dist/main.js on one data dir, one Redis key prefix and a
 * shared test clock (MINION_TEST_CLOCK: minutes pass in seconds), every AWS call going to the
 * scenario's fake endpoint. Jobs are created through the API once the replicas are ready; each
 * reboots its own instance at one minute, so the endpoint counts one occurrence's actions.
 */
export class ChaosCluster {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'minion-chaos-'));
  readonly prefix = `chaos-${randomUUID().slice(0, 8)}`;
  readonly replicas: ChaosReplica[] = [];
  readonly clock: ScaledClock;
  /** Instance id -> the job created for it. */
  readonly jobs = new Map<string, string>();
  /** queueProvider.config.batchFrom of its replicas (0: batching off). */
  readonly batchFrom: number;
  private instanceCount = 0;

  constructor(private readonly options: ClusterOptions) {
    this.clock = new ScaledClock(Date.parse(CLOCK_START), Date.now(), options.speed);
    this.batchFrom = options.batchFrom ?? BATCH_FROM;
  }

  /** The replica started as `name` (`replicas` is in the order they came up). */
  replica(name: string): ChaosReplica {
    const found = this.replicas.find((r) => r.name === name);
    if (!found) throw new Error(`no replica ${name}`);
    return found;
  }

  /** Starts a replica (on `redisPort`, e.g. a proxy's, instead of the cluster's Redis). */
  async start(name: string, redisPort = this.options.redisPort): Promise<ChaosReplica> {
    const o = this.options;
    const key = replicaKey(name);
    const app = await startBuiltApp(
      BUILT_MAIN,
      {
        token: TOKEN,
        listenAddress: '127.0.0.1:0',
        logLevel: 'info',
        accounts: { [ACCOUNT]: { runners: ['instanceRunner'], region: 'us-east-1' } },
        jobRunners: { instanceRunner: { type: 'instance' } },
        queueProvider: {
          type: 'redis',
          config: {
            ...(o.redisAddress ?? { host: '127.0.0.1', port: redisPort }),
            keyPrefix: this.prefix,
            lockDuration: o.lockDuration,
            stalledInterval: o.stalledInterval,
            ...(this.batchFrom > 0 ? { batchFrom: this.batchFrom } : {}),
          },
        },
        scheduler: {
          concurrency: o.concurrency,
          retryDelay: '200ms',
          shutdownTimeout: '2s',
          drainDelay: '0s',
          enqueueTakeover: '1s',
        },
      },
      {
        dataDir: this.dataDir,
        org: ORG,
        env: {
          NODE_ENV: 'test',
          MINION_TEST_CLOCK: JSON.stringify({
            at: CLOCK_START,
            realMs: this.clock.realMs,
            speed: o.speed,
          }),
          AWS_ENDPOINT_URL_EC2: o.awsUrl,
          AWS_ACCESS_KEY_ID: key,
          AWS_SECRET_ACCESS_KEY: 'chaos-secret',
          AWS_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    const readiness = async () =>
      (
        await fetch(`${app.url}/health/ready`, { signal: AbortSignal.timeout(15_000) }).catch(
          () => null,
        )
      )?.status ?? 0;
    const replica: ChaosReplica = {
      name,
      key,
      app,
      readiness,
      freeze: () => process.kill(app.pid, 'SIGSTOP'),
      thaw: () => process.kill(app.pid, 'SIGCONT'),
    };
    this.replicas.push(replica);
    await until(`replica ${name} ready`, async () => (await readiness()) === 200, 120_000);
    return replica;
  }

  /** The next minute of the test clock that is at least `leadMs` real milliseconds away. */
  minuteAfter(leadMs: number): number {
    return minuteFloor(this.clock.now().getTime() + leadMs * this.options.speed) + MINUTE_MS;
  }

  /** Resolves once the test clock reads `ms` (plus `realMarginMs` real milliseconds). */
  async untilClock(ms: number, realMarginMs = 0): Promise<void> {
    await new Promise((r) => setTimeout(r, this.clock.realDelayUntil(ms) + realMarginMs));
  }

  /**
   * `count` jobs, each rebooting its own new instance once a day at `minuteMs`'s hour and
   * minute (so once in the scenario), created through replica `via`'s API. Returns the instances.
   */
  async createBurst(count: number, minuteMs: number, via = this.replicas[0]): Promise<string[]> {
    const at = new Date(minuteMs);
    const instances = Array.from({ length: count }, () => this.nextInstance());
    const pending = [...instances];
    const create = async () => {
      for (let id = pending.shift(); id; id = pending.shift()) {
        const res = await fetch(`${via.app.url}/${ACCOUNT}/jobs/${GROUP}`, {
          method: 'POST',
          headers: { 'X-Auth-Token': TOKEN, 'content-type': 'application/json' },
          body: JSON.stringify({
            job: {
              name: `reboot ${id}`,
              schedule_expression: `${at.getUTCMinutes()} ${at.getUTCHours()} * * *`,
              enabled: true,
              details: {
                runner: 'instanceRunner',
                instance_id: id,
                instance_action: 'reboot',
                wait: 'false',
              },
            },
          }),
        });
        if (res.status !== 200) throw new Error(`create failed: ${res.status} ${await res.text()}`);
        this.jobs.set(id, ((await res.json()) as { job: { id: string } }).job.id);
      }
    };
    await Promise.all(Array.from({ length: 8 }, create));
    return instances;
  }

  /**
   * Occurrences that went through a batch: each has a state key in Redis (an hour) naming its
   * batch. Shows that a batched scenario did batch. `port`: the Redis to ask (by
   * default the cluster's; after a failover, the new primary).
   */
  async batchedOccurrences(port = this.options.redisPort): Promise<number> {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    try {
      await redis.connect();
      let count = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}:${ORG}:occ:*`);
        // With batching on (minion's default, from 5,000), an occurrence queued alone gets a
        // state key too, saying `single|-`: those did not go in a batch.
        const states = keys.length > 0 ? await redis.mget(...keys) : [];
        count += states.filter((s) => s !== null && !s.startsWith('single|')).length;
        cursor = next;
      } while (cursor !== '0');
      return count;
    } finally {
      redis.disconnect();
    }
  }

  /**
   * Each replica's longest event-loop stall since it started (prom-client's
   * nodejs_eventloop_lag_max_seconds, read once: a scrape resets it), in ms. BullMQ renews a lock
   * every lockDuration/4 or so, once it is lockDuration/4 old: a stall of about half lockDuration
   * can let it lapse, and another replica take the replica's running occurrences over.
   */
  async eventLoopStalls(): Promise<string> {
    const stalls = await Promise.all(
      this.replicas.map(async (r) => {
        const text = await fetch(`${r.app.url}/metrics`, { signal: AbortSignal.timeout(15_000) })
          .then((res) => res.text())
          .catch(() => '');
        const max = /^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1];
        return `${r.name} ${max === undefined ? '?' : Math.round(Number(max) * 1000)} ms`;
      }),
    );
    return stalls.join(' ');
  }

  /**
   * The run records of these instances' jobs, oldest first, one line each (occurrence, attempt,
   * replica by name, status, times, error): printed for the occurrences acted on twice, so a
   * failure says which replica took over which attempt and why.
   */
  async explain(instances: string[]): Promise<string> {
    const records = await this.records(instances).catch(() => [] as RunRecord[]);
    // A record names its replica `host:pid`; the scenario names them a, b, c.
    const names = new Map(this.replicas.map((r) => [String(r.app.pid), r.name]));
    const replicaOf = (r: RunRecord) => names.get(r.replica?.split(':').pop() ?? '') ?? r.replica;
    return records
      .sort((x, y) => x.started_at.localeCompare(y.started_at) || x.attempt - y.attempt)
      .map((r) => {
        const why = (r.error ?? r.output ?? '').slice(0, 200);
        const when = `${r.started_at}..${r.finished_at}`;
        return `${r.run_id} #${r.attempt} ${replicaOf(r) ?? '?'} ${r.status} ${when}${why ? ` (${why})` : ''}`;
      })
      .join('\n');
  }

  /** Every run record of the jobs of these instances (the replicas share one SQLite run log). */
  async records(instances: string[]): Promise<RunRecord[]> {
    const log = new SqliteJobLog(join(this.dataDir, '.runs'), ORG, 100_000);
    try {
      const lists = await Promise.all(
        instances.map((i) =>
          log.list({ account: ACCOUNT, group: GROUP, id: this.jobs.get(i) ?? '' }, 1000),
        ),
      );
      return lists.flat();
    } finally {
      await log.onApplicationShutdown();
    }
  }

  /**
   * Every replica stopped (resumed first if frozen), its log kept in CHAOS_LOGS (default
   * /tmp/minion-chaos-logs) for a look after a failure, the data dir removed.
   */
  async stop(): Promise<void> {
    const logs = process.env.CHAOS_LOGS ?? join(tmpdir(), 'minion-chaos-logs');
    mkdirSync(logs, { recursive: true });
    // The run history too, by instance, to read what happened after a failure.
    const records = await this.records([...this.jobs.keys()]).catch(() => []);
    writeFileSync(join(logs, `${this.prefix}-runs.json`), JSON.stringify(records, null, 1));
    await Promise.all(
      this.replicas.splice(0).map(async (r) => {
        try {
          r.thaw();
        } catch {
          // already gone
        }
        writeFileSync(join(logs, `${this.prefix}-${r.name}.log`), r.app.log());
        // SIGTERM, as a deploy stops it; a replica that does not exit in time is killed, so a
        // failed scenario never leaves processes behind.
        const killer = setTimeout(() => process.kill(r.app.pid, 'SIGKILL'), 30_000);
        await r.app.stop();
        clearTimeout(killer);
      }),
    );
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private nextInstance(): string {
    const n = ++this.instanceCount;
    return `i-${n.toString(16).padStart(17, '0')}`;
  }
}
