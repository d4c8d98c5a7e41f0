import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStaticFiles } from './static-files';

describe('serveStaticFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'minion-static-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function appOn(dir: string) {
    const app = Fastify();
    serveStaticFiles(app, dir, '/docs');
    await app.ready();
    return app;
  }

  it('answers the files listed in root with their type, revalidated by ETag', async () => {
    writeFileSync(join(root, 'app.js'), 'let a = 1;');
    const app = await appOn(root);
    const js = await app.inject({ url: '/docs/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('let a = 1;');
    const etag = js.headers.etag as string;
    expect(etag).toMatch(/^W\/"/);
    const again = await app.inject({ url: '/docs/app.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    await app.close();
  });

  it('answers 404 for any name not listed, and never reaches the disk or a 500 for one', async () => {
    const dir = join(root, 'served');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.css'), 'a{}');
    writeFileSync(join(dir, 'sub', 'b.css'), 'b{}');
    writeFileSync(join(root, 'secret.txt'), 'secret');
    const app = await appOn(dir);
    for (const url of [
      '/docs/..%2fsecret.txt',
      '/docs/%25zz',
      '/docs/a.css/x',
      '/docs/sub/b.css',
      '/docs/sub',
      `/docs/${'x'.repeat(5000)}`,
      '/docs/',
    ]) {
      expect({ url, status: (await app.inject({ url })).statusCode }).toEqual({ url, status: 404 });
    }
    // A file added after the listing is not served either.
    writeFileSync(join(dir, 'late.css'), 'l{}');
    expect((await app.inject({ url: '/docs/late.css' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/docs/a.css' })).statusCode).toBe(200);
    await app.close();
  });
});
