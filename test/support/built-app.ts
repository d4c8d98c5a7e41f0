import { ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built app (`npm run build`, or `npm run build:test`), started as a user starts it. */
export interface BuiltApp {
  /** `http://127.0.0.1:<port>/v1/minion` */
  url: string;
  pid: number;
  dir: string;
  /** The app's log so far (JSON lines). */
  log(): string;
  stop(): Promise<void>;
}

/** dist/main.js of this checkout. */
export const BUILT_MAIN = resolve(__dirname, '..', '..', 'dist', 'main.js');

export interface BuiltAppOptions {
  dataDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Node options before the script (`--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
  /** The org of the config (default `bench`). */
  org?: string;
}

/**
 * Starts `main` (`node <main> -config FILE`) on a config (port chosen by the system) with its
 * data dir in a temp folder (or `dataDir`), its log going to a file (a pipe the caller had to
 * read would cost the caller's CPU), and resolves once it logs where it listens.
 */
export async function startBuiltApp(
  main: string,
  config: Record<string, unknown>,
  options: BuiltAppOptions = {},
): Promise<BuiltApp> {
  if (!existsSync(main)) throw new Error(`${main} does not exist: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'minion-built-app-'));
  const dataDir = options.dataDir ?? join(dir, 'data');
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      org: options.org ?? 'bench',
      listenAddress: '127.0.0.1:0',
      logLevel: 'info',
      jobsRepository: { type: 'file', config: { path: dataDir } },
      ...config,
    }),
  );
  const logFile = join(dir, 'app.log');
  const out = openSync(logFile, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), main, '-config', file],
    {
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_ENV: 'production', ...options.env },
    },
  );
  closeSync(out);
  const log = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let port: string | undefined;
  while (!(port = /listening on http:\/\/\S+?:(\d+)\//.exec(log())?.[1])) {
    if (child.exitCode !== null) throw new Error(`app exited: ${log().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error('app did not start in time');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}/v1/minion`,
    pid: child.pid as number,
    dir,
    log,
    stop: async () => {
      // Not yet exited (a process killed by a signal has no exit code, but a signal code).
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the app's readiness probe answers 200. */
export async function whenReady(app: { url: string }, timeoutMs = 300_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const res = await fetch(`${app.url}/health/ready`).catch(() => null);
    if (res?.status === 200) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('app not ready in time');
}
