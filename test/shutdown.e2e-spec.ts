import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killProcess } from './support/build-app';
import { waitFor } from './support/manual-clock';
import { removeDir, tempDir } from './support/test-app';

const MAIN = join(__dirname, '..', 'src', 'main.ts');
const START_TIMEOUT_MS = 60_000;
const TOKEN = 'drain-token-0123456789';

/**
 * SIGTERM as Kubernetes sends it, to the real entry point (issue 11): readiness turns 503 at
 * once, the API keeps answering for the drain delay, then minion stops and exits 0.
 */
describe('SIGTERM: drain, then stop (e2e, real process)', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeEach(() => {
    dir = tempDir('minion-drain-');
  });

  afterEach(async () => {
    await killProcess(child);
    removeDir(dir);
  });

  it(
    'readiness is 503 during the drain while the API serves; then the process exits 0',
    async () => {
      const file = join(dir, 'config.json');
      writeFileSync(
        file,
        JSON.stringify({
          org: 'drain',
          token: TOKEN,
          listenAddress: '127.0.0.1:0',
          accounts: { a: { runners: ['dummyRunner'] } },
          jobRunners: { dummyRunner: { type: 'dummy' } },
          jobsRepository: { type: 'file', config: { path: join(dir, 'data') } },
          scheduler: { drainDelay: '3s' },
        }),
      );
      let output = '';
      child = spawn(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', MAIN, '-config', file],
        {
          cwd: join(__dirname, '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
      await waitFor(() => /listening on http:\/\/[^ ]+:(\d+)/.test(output), START_TIMEOUT_MS);
      const base = `http://127.0.0.1:${/listening on http:\/\/[^ ]+:(\d+)/.exec(output)?.[1]}/v1/minion`;
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200);

      const signalled = Date.now();
      child.kill('SIGTERM');
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 503);
      const ready = await fetch(`${base}/health/ready`);
      expect(((await ready.json()) as { message: string }).message).toContain(
        'shutdown (shutting down)',
      );
      expect((await fetch(`${base}/ping`)).status).toBe(200);
      const jobs = await fetch(`${base}/a/jobs`, { headers: { 'X-Auth-Token': TOKEN } });
      expect(jobs.status).toBe(200);

      expect(await exited).toBe(0);
      // Not before the drain delay: the load balancer had its time.
      expect(Date.now() - signalled).toBeGreaterThanOrEqual(3000);
      expect(output).toContain('SIGTERM: readiness is 503');
    },
    START_TIMEOUT_MS + 30_000,
  );
});
