import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { minionClient, portalFlow } from './client/portal-flow';
import { drain } from './support/jobs-helpers';
import { OPENAPI_FILE, OpenApiValidator } from './support/openapi-validator';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TEST_TOKEN, TestApp } from './support/test-app';

/**
 * The OpenAPI document is the contract (issue 11): the committed openapi.json is what the app
 * serves, the client generated from it type-checks (`tsc` in `npm test` compiles
 * test/client/portal-flow.ts) and works against a real app, and every answer it receives matches
 * the document. `npm run lint:openapi` (Redocly, strict) runs in `npm test` too.
 */
describe('OpenAPI contract (e2e)', () => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp();
  });

  afterEach(() => stopTestApp(t));

  it('the committed openapi.json is exactly what the app serves (run `npm run build` after an API change)', async () => {
    const served = await t.http.get('/v1/minion/docs-json').expect(200);
    expect(JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))).toEqual(served.body);
  });

  it('the committed client types are generated from the committed document', () => {
    const cli = join(__dirname, '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const res = spawnSync(
      process.execPath,
      [
        cli,
        'openapi.json',
        '-c',
        'test/client/redocly.yaml',
        '-o',
        'test/client/minion-api.d.ts',
        '--check',
      ],
      { cwd: join(__dirname, '..'), encoding: 'utf8' },
    );
    expect(`${res.stdout}${res.stderr}`).not.toMatch(/out of date|✘/i);
    expect(res.status).toBe(0);
  });

  it('describes every schema and property, and types what the answers hold', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    const undescribed: string[] = [];
    for (const [name, schema] of Object.entries<{
      description?: string;
      properties?: Record<string, { description?: string }>;
    }>(doc.components.schemas)) {
      if (!schema.description) undescribed.push(name);
      for (const [prop, def] of Object.entries<{ description?: string }>(schema.properties ?? {})) {
        if (!def.description) undescribed.push(`${name}.${prop}`);
      }
    }
    expect(undescribed).toEqual([]);
    const job = doc.components.schemas.JobResponse.properties;
    expect(job.next).toMatchObject({ type: 'string', format: 'date-time', nullable: true });
    expect(doc.components.schemas.RunLogInfo.properties.type.enum).toEqual(['file', 'cloudwatch']);
    expect(doc.components.schemas.RunRecord.properties.scheduled_for).toMatchObject({
      nullable: true,
    });
    expect(doc.info.version).toBe(
      JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version,
    );
    for (const path of [
      '/v1/minion/ping',
      '/v1/minion/version',
      '/v1/minion/metrics',
      '/v1/minion/health/live',
    ]) {
      expect(doc.paths[path].get.security).toEqual([]);
    }
    expect(doc.security).toEqual([{ 'X-Auth-Token': [] }]);
    expect(doc.paths['/v1/minion/{account}/jobs/{group}'].post.security).toBeUndefined();
    const del = doc.paths['/v1/minion/{account}/jobs/{group}/{id}'].delete.responses;
    expect(Object.keys(del['202'].content)).toEqual(['text/plain']);
    expect(Object.keys(del['404'].content)).toEqual(['application/json']);
    const examples = ['401', '403', '404', '409', '413', '429', '503'].map(
      (s) =>
        doc.paths['/v1/minion/{account}/jobs/{group}/{id}'].put.responses[s].content[
          'application/json'
        ].example.message,
    );
    expect(new Set(examples).size).toBe(examples.length);
  });

  it('a client generated from openapi.json runs the whole flow; every answer matches the document', async () => {
    const server = t.app.getHttpServer() as Server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const validator = new OpenApiValidator();
    const client = minionClient(`http://127.0.0.1:${port}`, TEST_TOKEN, validator.middleware());
    const result = await portalFlow(client, 'acct1', () => drain(t));
    expect(result.created).toMatchObject({
      name: 'portal-job',
      timezone: 'Europe/Berlin',
      enabled: true,
    });
    expect(result.listed).toEqual([`space-xy/${result.created.id}`]);
    expect(result.groupListed).toEqual([result.created.id]);
    expect(result.updated.enabled).toBe(false);
    expect(result.runs[0]).toMatchObject({
      run_id: result.runId,
      status: 'succeeded',
      output: 'Hello, acct1!',
    });
    expect(result.next).toHaveLength(3);
    expect(result.dryRun).toEqual({
      runner: 'dummyRunner',
      type: 'dummy',
      acts_on: null,
      worst_case_ms: 3 * (300_000 + 5_000) + 2 * 10, // + the 5 s answer grace
      state: null,
      would: 'output "Hello, acct1!"',
      checks: [],
    });
    expect(result.paused.pause).toMatchObject({
      until: '2099-01-04T07:00:00Z',
      reason: 'holidays',
    });
    expect(result.resumed.pause).toBeUndefined();
    expect(result.deleted).toBe('OK');
    expect(result.missingStatus).toBe(404);
    expect(validator.checked).toHaveLength(13);

    // Error answers and the public routes match the document too.
    const raw = async (
      path: string,
      template: string,
      method = 'GET',
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
      validator.check(
        template,
        method,
        res.status,
        res.headers.get('content-type') ?? '',
        await res.text(),
      );
    };
    await raw('/v1/minion/acct1/jobs', '/v1/minion/{account}/jobs');
    await raw('/v1/minion/acct1/jobs', '/v1/minion/{account}/jobs', 'GET', {
      'X-Auth-Token': 'wrong',
    });
    await raw('/v1/minion/nobody/jobs', '/v1/minion/{account}/jobs', 'GET', {
      'X-Auth-Token': TEST_TOKEN,
    });
    await raw('/v1/minion/acct1/jobs/g/x', '/v1/minion/{account}/jobs/{group}/{id}', 'DELETE', {
      'X-Auth-Token': TEST_TOKEN,
    });
    await raw('/v1/minion/ping', '/v1/minion/ping');
    await raw('/v1/minion/version', '/v1/minion/version');
    await raw('/v1/minion/metrics', '/v1/minion/metrics');
    await raw('/v1/minion/health/live', '/v1/minion/health/live');
    await raw('/v1/minion/health/ready', '/v1/minion/health/ready');
  });
});
