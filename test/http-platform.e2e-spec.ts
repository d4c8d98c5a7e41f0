import { Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { BASE } from './support/jobs-helpers';
import { rawRequest } from './support/raw-http';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { SEED_DUMMY_CREATE, TEST_TOKEN, TestApp } from './support/test-app';

/**
 * What clients of the Express app relied on, kept on Fastify (the HTTP platform since issue 24):
 * each case below answered so on Express and differed on Fastify's defaults.
 */
describe('the HTTP surface on Fastify, as it was on Express (e2e)', () => {
  let t: TestApp;
  let server: Server;
  const JOBS = `${BASE}/acct1/jobs`;
  const body = JSON.stringify(SEED_DUMMY_CREATE);
  const authed = { 'X-Auth-Token': TEST_TOKEN };

  beforeAll(async () => {
    t = await startTestApp();
    server = t.app.getHttpServer() as Server;
  });
  afterAll(() => stopTestApp(t));

  const post = (headers: Record<string, string>, payload?: string | Buffer) =>
    rawRequest(server, 'POST', `${JOBS}/g`, { ...authed, ...headers }, payload);

  it('a CORS preflight allows every method a route answers', async () => {
    const res = await rawRequest(server, 'OPTIONS', `${JOBS}/g/x`, {
      Origin: 'https://portal.example',
      'Access-Control-Request-Method': 'DELETE',
      'Access-Control-Request-Headers': 'X-Auth-Token',
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([[''], ['json'], ['a/b, c/d'], ['text/plain'], ['application/x-www-form-urlencoded']])(
    'reads a body labelled %j as JSON',
    async (contentType) => {
      const res = await post({ 'Content-Type': contentType }, body);
      expect(res.status).toBe(200);
      expect((res.json() as { job: { name: string } }).job.name).toBe('dummy-spin1234567');
    },
  );

  it('an empty body with no Content-Type is {}: the answer names the missing job', async () => {
    const res = await post({ 'Content-Length': '0' }, undefined);
    expect(res.status).toBe(400);
    expect((res.json() as { message: string }).message).toMatch(/^job /);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('inflates a body sent with Content-Encoding %s', async (encoding, compress) => {
    const res = await post(
      { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
      compress(Buffer.from(body)),
    );
    expect(res.status).toBe(200);
  });

  it('a corrupt compressed body is a 400, an unknown encoding a 415, both JSON', async () => {
    const corrupt = await post(
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      Buffer.from('not gzip at all'),
    );
    expect(corrupt.status).toBe(400);
    expect(corrupt.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'request body cannot be read',
    });
    const unknown = await post(
      { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd' },
      Buffer.from(body),
    );
    expect(unknown.status).toBe(415);
    expect((unknown.json() as { message: string }).message).toContain('"zstd"');
  });

  it('a compressed body is limited by its inflated size', async () => {
    const big = JSON.stringify({ ...SEED_DUMMY_CREATE, pad: 'x'.repeat(2 * 1024 * 1024) });
    const res = await post(
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      gzipSync(Buffer.from(big)),
    );
    expect(res.status).toBe(413);
    expect((res.json() as { message: string }).message).toBe('request body is larger than 1 MiB');
  });

  it('paths match whatever their case, parameters keep theirs; a wrong method is a 405', async () => {
    const created = await rawRequest(
      server,
      'POST',
      '/V1/MINION/acct1/Jobs/MixedCase',
      authed,
      body,
    );
    expect(created.status).toBe(200);
    const { id, group } = (created.json() as { job: { id: string; group: string } }).job;
    expect(group).toBe('MixedCase');
    const listed = await rawRequest(server, 'GET', '/V1/Minion/acct1/JOBS', authed);
    expect(listed.status).toBe(200);
    expect(listed.json()).toContain(`MixedCase/${id}`);
    const wrong = await rawRequest(server, 'PUT', '/V1/MINION/acct1/jobs', authed);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('a malformed path is a 400 naming the parameter, readable by a browser', async () => {
    const res = await rawRequest(server, 'GET', `${BASE}/acct1/jobs/%zz`, {
      ...authed,
      Origin: 'https://portal.example',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'group: malformed percent-encoding in the path',
    });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it("serves Swagger UI's files with an ETag, and 404 for any other name", async () => {
    const css = await rawRequest(server, 'GET', `${BASE}/docs/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const etag = css.headers.etag as string;
    const again = await rawRequest(server, 'GET', `${BASE}/docs/swagger-ui.css`, {
      'If-None-Match': etag,
    });
    expect(again.status).toBe(304);
    for (const name of ['%25zz', 'swagger-ui.css/x', '..%2Fpackage.json', 'nope.js']) {
      const res = await rawRequest(server, 'GET', `${BASE}/docs/${name}`);
      expect({ name, status: res.status }).toEqual({ name, status: 404 });
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it("keeps Node's 300 s request timeout (Fastify's default has none)", () => {
    expect(server.requestTimeout).toBe(300_000);
  });
});
