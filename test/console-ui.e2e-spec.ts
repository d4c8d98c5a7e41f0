import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleSettings } from '../src/console/console.config';
import { BASE } from './support/jobs-helpers';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { tempDir, TestApp, testConfig } from './support/test-app';

const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

/** A stand-in for `vite build`'s output: an index and one hashed asset. */
function fakeBuild(): string {
  const dir = tempDir('minion-ui-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="./assets/app-1a2b.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'app-1a2b.js'), SCRIPT);
  return dir;
}

/**
 * How the console's files are served (the browser specs use the real build): public, from
 * memory, with the security headers; turned off by `console.enabled: false`; said plainly when
 * the console was not built. The switch is validated like every key.
 */
describe('console files (e2e)', () => {
  let t: TestApp | undefined;
  let assets: string;

  beforeEach(() => {
    assets = fakeBuild();
  });

  afterEach(async () => {
    await stopTestApp(t);
    t = undefined;
    rmSync(assets, { recursive: true, force: true });
  });

  const start = (enabled: boolean, dir = assets) =>
    startTestApp({
      config: { console: { enabled } },
      customize: (b) => b.overrideProvider(ConsoleSettings).useValue({ enabled, assets: dir }),
    });

  it('serves the files without a token, with the CSP and anti-framing headers, gzipped when asked', async () => {
    t = await start(true);
    const index = await t.http.get(`${BASE}/ui/`).expect(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toMatch(
      /default-src 'none'; script-src 'self'/,
    );
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['cache-control']).toBe('no-cache');
    const js = await t.http
      .get(`${BASE}/ui/assets/app-1a2b.js`)
      .set('Accept-Encoding', 'gzip')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.headers['cache-control']).toContain('immutable');
    // supertest gunzips what it receives
    expect((js.body as Buffer).toString()).toBe(SCRIPT);
    expect(Number(js.headers['content-length'])).toBeLessThan(SCRIPT.length / 10);
    const missing = await t.http.get(`${BASE}/ui/assets/nope.js`).expect(404);
    expect(missing.body.message).toBe('no such console file: assets/nope.js');
    await t.http
      .get(`${BASE}/ui/..%2f..%2fpackage.json`)
      .expect((res) => expect([400, 404]).toContain(res.status));
    const bare = await t.http.get(`${BASE}/ui`).expect(301);
    expect(bare.headers.location).toBe(`${BASE}/ui/`);
    // The API is not made public by it.
    await t.http.get(`${BASE}/acct1/overview`).expect(401);
  });

  it('console.enabled: false turns it off', async () => {
    t = await start(false);
    const res = await t.http.get(`${BASE}/ui/`).expect(404);
    expect(res.body.message).toBe('the console is turned off (console.enabled: false)');
    await t.http.get(`${BASE}/ui/assets/app-1a2b.js`).expect(404);
  });

  it('says so when the console was not built', async () => {
    t = await start(true, join(assets, 'nothing-here'));
    const res = await t.http.get(`${BASE}/ui/`).expect(404);
    expect(res.body.message).toBe('the console is not built: run npm run build');
  });

  it('the switch is validated, naming the key', () => {
    const dir = tempDir();
    try {
      expect(testConfig(dir).console.enabled).toBe(true);
      expect(testConfig(dir, { console: { enabled: false } }).console.enabled).toBe(false);
      expect(() => testConfig(dir, { console: { enabled: 'sometimes' } })).toThrow(
        /console\.enabled must be a boolean/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
