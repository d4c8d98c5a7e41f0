import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCaptureServer } from './support/capture-server';
import { killProcess } from './support/build-app';
import { waitFor } from './support/manual-clock';
import { removeDir, tempDir } from './support/test-app';

const MAIN = join(__dirname, '..', 'src', 'main.ts');
/** ts-node compiles the app on start: generous on a loaded 2-core machine. */
const START_TIMEOUT_MS = 60_000;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** The real entry point, as the original's image ran it: `minion <args>`. */
function minion(args: string[], env: Record<string, string> = {}): Run {
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, ...args], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, MINION_TOKEN: '', API_CONFIG: '', MINION_CONFIG_FILE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

/**
 * The original's command line and a config in its shape: capitalised keys, its extra keys, its
 * Slack reporter (issue 9, points 3 to 5). Such a deployment starts on its own config, never on
 * the embedded default, or stops saying exactly what to change.
 */
describe('starting minion as the original was started (e2e, real process)', () => {
  const slack = useCaptureServer();
  // Each case must see its own startup message, not the previous case's.
  beforeEach(() => {
    slack.received.length = 0;
  });
  let dir: string;
  let run: Run | undefined;

  beforeEach(() => {
    dir = tempDir('minion-cli-');
  });

  afterEach(async () => {
    await killProcess(run?.child);
    run = undefined;
    removeDir(dir);
  });

  function writeConfig(config: Record<string, unknown>): string {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config, null, 2));
    return file;
  }

  const originalShape = () => ({
    Org: 'migrated',
    Token: 'the-original-token',
    ListenAddress: '127.0.0.1:0',
    LogLevel: 'INFO',
    Accounts: { spinup: { Runners: ['dummyRunner'] } },
    JobRunners: { dummyRunner: { Type: 'dummy', Config: { template: 'Hello, {{.Account}}!' } } },
    JobsRepository: { Type: 'file', RefreshInterval: '60m', Config: { path: join(dir, 'data') } },
    LockProvider: { type: 'redis', ttl: '2m', config: { host: '127.0.0.1', port: 6379 } },
    EventReporters: { slack: { endpoint: `${slack.url}/hook`, channel: '#minion' } },
    Version: { version: '0.3.1', githash: 'abc', buildstamp: 'then' },
    SomethingNew: true,
  });

  it.each([['-config'], ['--config']])(
    '%s FILE starts on that file (not the embedded default), warns what it ignored, alerts Slack',
    async (flag) => {
      run = minion([flag, writeConfig(originalShape())]);
      await waitFor(
        () => /listening on http:\/\/[^ ]+:(\d+)/.test(run!.output()),
        START_TIMEOUT_MS,
      );
      const port = /listening on http:\/\/[^ ]+:(\d+)/.exec(run.output())?.[1];
      const ping = await fetch(`http://127.0.0.1:${port}/v1/minion/ping`);
      expect(await ping.text()).toBe('pong');
      const list = await fetch(`http://127.0.0.1:${port}/v1/minion/spinup/jobs`, {
        headers: { 'X-Auth-Token': 'the-original-token' },
      });
      expect(list.status).toBe(200);
      expect(run.output()).toContain('unknown configuration key \\"SomethingNew\\" is ignored');
      expect(run.output()).toContain('lockProvider (ttl 2m) is not used');
      expect(run.output()).toContain('org migrated');
      await waitFor(() =>
        slack.received.some((r) => /Starting minion .*org: migrated/.test(String(r.json.text))),
      );
    },
    START_TIMEOUT_MS + 10_000,
  );

  it(
    '--config=FILE works too, and -version prints the version and exits 0',
    async () => {
      run = minion([`--config=${writeConfig(originalShape())}`]);
      await waitFor(() => run!.output().includes('listening on'), START_TIMEOUT_MS);
      await killProcess(run.child);
      const version = minion(['-version']);
      expect(await version.exited).toBe(0);
      expect(version.output()).toMatch(/^minion version \d+\.\d+\.\d+/);
    },
    2 * START_TIMEOUT_MS,
  );

  // Every case is in command-line.spec.ts; two here prove the process really stops.
  it.each([[['-cnfig', 'x.json']], [['-config', 'x.json', 'extra']]])(
    'exits non-zero naming the argument for %j',
    async (args) => {
      run = minion(args);
      expect(await run.exited).toBe(2);
      expect(run.output()).toMatch(/minion: (unknown flag|unexpected argument|flag -config needs)/);
      expect(run.output()).not.toContain('listening on');
    },
    START_TIMEOUT_MS,
  );

  it(
    "refuses the original runners' HTTP config, pointing to the migration guide",
    async () => {
      const config = originalShape();
      config.JobRunners = {
        dummyRunner: config.JobRunners.dummyRunner,
        instanceRunner: {
          Type: 'instance',
          Config: { endpointTemplate: 'http://127.0.0.1:8080/v1/ec2/{{.Account}}', token: 'yyy' },
        },
      } as never;
      run = minion(['-config', writeConfig(config)]);
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain('jobRunners.instanceRunner.config');
      expect(run.output()).toContain('docs/migrating-from-go.md');
      expect(run.output()).not.toContain('yyy');
    },
    START_TIMEOUT_MS,
  );
});
