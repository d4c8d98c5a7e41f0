import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_MAIN, BuiltApp, startBuiltApp, whenReady } from './support/built-app';
import { waitFor } from './support/manual-clock';

const TOKEN = 'crash-token-0123456789';
const CONFIG = {
  token: TOKEN,
  accounts: { a: { runners: ['dummyRunner'] } },
  jobRunners: { dummyRunner: { type: 'dummy' } },
  scheduler: { drainDelay: '0s' },
};
const WRITERS = 16;
/** Creates acknowledged before the kill: enough that many were in flight when it came. */
const ACKNOWLEDGED_BEFORE_KILL = 300;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The built app (`node dist/main.js`, embedded default store) killed with SIGKILL while 16
 * clients create jobs as fast as it answers: after a restart on the same data dir, every create
 * it acknowledged (200) is there, whole. Needs `npx nest build` (npm test builds).
 */
describe('SIGKILL during a create load: nothing acknowledged is lost (e2e, built app)', () => {
  let dataDir: string;
  const apps: BuiltApp[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'minion-crash-'));
  });

  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every acknowledged create survives the kill, and every stored job reads whole', async () => {
    const first = await startBuiltApp(BUILT_MAIN, CONFIG, { dataDir });
    apps.push(first);
    await whenReady(first, 60_000);

    const acknowledged = new Map<string, string>();
    let killed = false;
    let sent = 0;
    const writer = async (w: number) => {
      while (!killed) {
        const name = `w${w}-${sent++}`;
        try {
          const res = await fetch(`${first.url}/a/jobs/g${w % 4}`, {
            method: 'POST',
            headers: { 'x-auth-token': TOKEN, 'content-type': 'application/json' },
            body: JSON.stringify({
              job: {
                name,
                schedule_expression: '0 0 1 1 *',
                enabled: w % 2 === 0,
                details: { runner: 'dummyRunner' },
              },
            }),
          });
          if (res.status !== 200) continue;
          const body = (await res.json()) as { job: { id: string; group: string } };
          acknowledged.set(`${body.job.group}/${body.job.id}`, name);
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }
    };
    const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    await waitFor(() => acknowledged.size >= ACKNOWLEDGED_BEFORE_KILL, 60_000);
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => !alive(first.pid), 30_000);
    killed = true;
    await writing;

    const second = await startBuiltApp(BUILT_MAIN, CONFIG, { dataDir });
    apps.push(second);
    await whenReady(second, 60_000);
    const headers = { 'x-auth-token': TOKEN };
    const listed = (await (await fetch(`${second.url}/a/jobs`, { headers })).json()) as string[];

    const missing = [...acknowledged.keys()].filter((k) => !listed.includes(k));
    expect(missing).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    // Whole documents, each with the name it was created with (unacknowledged ones may be there too).
    for (const entry of listed) {
      const res = await fetch(`${second.url}/a/jobs/${entry}`, { headers });
      expect(res.status).toBe(200);
      const { job } = (await res.json()) as { job: { name: string } };
      if (acknowledged.has(entry)) expect(job.name).toBe(acknowledged.get(entry));
    }
  }, 180_000);
});
