import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * dist/main.js, seen from dist-bench/bench/support once the benchmarks are compiled; or
 * BENCH_MAIN (another build, e.g. the commit before a change, to measure both in one run).
 */
export const MAIN =
  process.env.BENCH_MAIN ?? resolve(__dirname, '..', '..', '..', 'dist', 'main.js');
/** The bare Express reference, compiled beside this file. */
export const EXPRESS_HELLO = resolve(__dirname, 'express-hello.js');
/** The Nest floor of bench:api (see nest-floor.ts). */
export const NEST_FLOOR = resolve(__dirname, 'nest-floor.js');

/** A free TCP port on 127.0.0.1 (asked from the system, then released). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** User + system CPU time of a process so far (ms), from /proc (Linux). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; [0] here is field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * After readiness: waits until `/health/ready` says the job cache's first load finished, and
 * says when (from the spawn) and the app's CPU time at readiness and then.
 */
export async function whenCacheLoaded(
  app: TimedStart,
  timeoutMs = 300_000,
): Promise<{ loadedMs: number; cpuAtReadyMs: number; cpuAtLoadedMs: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${app.url}/health/ready`);
    const body = (await res.json()) as { info?: { scheduler?: { loaded?: boolean } } };
    if (body.info?.scheduler?.loaded !== false) {
      return {
        loadedMs: Date.now() - app.started,
        cpuAtReadyMs: app.cpuAtReadyMs,
        cpuAtLoadedMs: cpuMs(app.pid),
      };
    }
    if (Date.now() > deadline) throw new Error('job cache not loaded in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface TimedStart {
  /** When it was spawned (epoch ms). */
  started: number;
  /** The process's CPU time when it was first ready (ms). */
  cpuAtReadyMs: number;
  /** Spawn to the first answer of any kind on the port (the HTTP server listens). */
  listeningMs: number;
  /** Spawn to the first 200 of `readyPath`. */
  readyMs: number;
  url: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

export interface TimedStartOptions {
  /** The build to start (default MAIN). */
  main?: string;
  /** Node options before the script (`--cpu-prof --cpu-prof-dir=DIR`). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Spawns a process that listens on `port` and measures from outside, from the spawn, when it
 * first answers anything and when `readyUrl` first answers 200, polling every 10 ms (a
 * connection refused means not listening yet).
 */
async function timeToReady(
  child: ChildProcess,
  readyUrl: string,
  log: () => string,
  started: number,
  timeoutMs: number,
): Promise<{ listeningMs: number; readyMs: number }> {
  let listeningMs = 0;
  const deadline = started + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited: ${log().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`not ready in ${timeoutMs} ms`);
    const res = await fetch(readyUrl).catch(() => null);
    if (res) {
      await res.arrayBuffer();
      listeningMs ||= Date.now() - started;
      if (res.status === 200) return { listeningMs, readyMs: Date.now() - started };
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The built app as a user starts it (`NODE_ENV=production node dist/main.js -config FILE`, file
 * repository at `dataDir`, log to a file), timed from the spawn to `GET /health/ready` 200.
 */
export async function startTimedApp(
  config: Record<string, unknown>,
  dataDir: string,
  options: TimedStartOptions = {},
): Promise<TimedStart> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'minion-bench-app-'));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      org: 'bench',
      listenAddress: `127.0.0.1:${port}`,
      logLevel: 'info',
      jobsRepository: { type: 'file', config: { path: dataDir } },
      ...config,
      scheduler: { drainDelay: '0s', ...(config.scheduler as object | undefined) },
    }),
  );
  const logFile = join(dir, 'app.log');
  const out = openSync(logFile, 'w');
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.main ?? MAIN, '-config', file],
    {
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_ENV: 'production', ...options.env },
    },
  );
  closeSync(out);
  const log = () => readFileSync(logFile, 'utf8');
  const url = `http://127.0.0.1:${port}/v1/minion`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const times = await timeToReady(
      child,
      `${url}/health/ready`,
      log,
      started,
      options.timeoutMs ?? 300_000,
    );
    const cpuAtReadyMs = cpuMs(child.pid!);
    return { ...times, started, cpuAtReadyMs, url, pid: child.pid!, log, stop };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** The bare Express hello-world, timed the same way (spawn to the first 200 of `/hello`). */
export function startTimedExpress(): Promise<TimedStart> {
  return startTimedReference(EXPRESS_HELLO, '/hello');
}

/**
 * A reference server (`script` prints nothing we need; it listens on $PORT), timed from the
 * spawn to the first 200 of `readyPath`; `url` is that path's address.
 */
export async function startTimedReference(
  script: string,
  readyPath: string,
  env: Record<string, string> = {},
): Promise<TimedStart> {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...env, NODE_ENV: 'production', PORT: String(port) },
  });
  const url = `http://127.0.0.1:${port}${readyPath}`;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const times = await timeToReady(child, url, () => '', started, 60_000);
  const cpuAtReadyMs = cpuMs(child.pid!);
  return { ...times, started, cpuAtReadyMs, url, pid: child.pid!, log: () => '', stop };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
