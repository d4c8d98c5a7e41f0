import Fastify from 'fastify';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveStaticFiles } from './static-files';

describe('serveStaticFiles', () => {
  const root = mkdtempSync(join(tmpdir(), 'minion-static-'));
  const outside = mkdtempSync(join(tmpdir(), 'minion-outside-'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('answers the files under root with their type, and 404 for anything else', async () => {
    writeFileSync(join(root, 'app.js'), 'let a = 1;');
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    const app = Fastify();
    serveStaticFiles(app, root, '/docs');
    await app.ready();
    const js = await app.inject({ url: '/docs/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('let a = 1;');
    const escape = `/docs/..%2f${outside.split('/').pop()}%2fsecret.txt`;
    expect((await app.inject({ url: escape })).statusCode).toBe(404);
    expect((await app.inject({ url: '/docs/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/docs/' })).statusCode).toBe(404);
    await app.close();
  });
});
