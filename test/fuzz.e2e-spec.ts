import * as fc from 'fast-check';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { Server } from 'node:http';
import { join } from 'node:path';
import { JobsRepository } from '../src/repository/jobs.repository';
import { JobCache } from '../src/job-cache/job-cache.service';
import { rawRequest } from './support/raw-http';
import {
  createTestApp,
  removeDir,
  tempDir,
  testConfig,
  TEST_TOKEN,
  TestApp,
} from './support/test-app';

/**
 * Property-based tests against a real app: generated methods, paths, headers, query strings and
 * bodies (issue 10). Properties: never a 5xx; every error is JSON `{statusCode, error, message}`
 * and a 400 names what is wrong; nothing is written outside the data directory; every stored
 * document still loads. A fixed seed and a bounded count in CI; `FUZZ_RUNS=5000` (and
 * `FUZZ_SEED`) for a longer hunt.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);

const VALID_JOB = {
  name: 'fuzz',
  schedule_expression: '*/5 * * * *',
  enabled: true,
  details: { runner: 'dummyRunner' },
  description: 'd',
};

/** What a 400 message must start with: the field, the path segment, or the body as a whole. */
const NAMES_A_FIELD =
  /^(request body|body|query|job|tags|account|group|id|limit|start_after|count|group\/id)\b/;

const segment = fc.oneof(
  fc.constantFrom('acct1', 'acct2', 'nobody', 'g', 'known', '..', '.', '%2e%2e', 'a%2Fb'),
  fc.constantFrom(
    '%zz',
    '%',
    '%c0%ae',
    '%00',
    '%2E',
    '%25',
    'x'.repeat(300),
    '%C3%A9',
    '%F0%9F%98%80',
  ),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 8 }).map(encodeURIComponent),
);

const path = fc
  .tuple(segment, segment, segment, fc.constantFrom('', '/runs', '/next', '/x', '/runs/more'))
  .chain(([account, group, id, tail]) =>
    fc.oneof(
      // Mostly paths that reach the handlers, so bodies and queries get exercised too.
      { arbitrary: fc.constant('/v1/minion/acct1/jobs/g'), weight: 6 },
      { arbitrary: fc.constant(`/v1/minion/acct1/jobs/${group}`), weight: 2 },
      { arbitrary: fc.constant(`/v1/minion/acct1/jobs/g/${id}${tail}`), weight: 2 },
      { arbitrary: fc.constant(`/v1/minion/acct1/jobs/g/known${tail}`), weight: 3 },
      {
        arbitrary: fc.constantFrom(
          `/v1/minion/${account}/jobs`,
          `/v1/minion/${account}/jobs/${group}`,
          `/v1/minion/${account}/jobs/${group}/${id}${tail}`,
          `/v1/minion/${account}`,
          '/v1/minion/ping',
          '/v1/minion/health/ready',
        ),
        weight: 3,
      },
    ),
  );

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('limit', 'start_after', 'count', 'Limit', '__proto__', 'constructor', 'x'),
      fc.oneof(fc.string({ maxLength: 10 }), fc.integer().map(String), fc.constant('')),
    ),
    { maxLength: 3 },
  )
  .map((pairs) =>
    pairs.length ? `?${pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : '',
  );

/** A valid job with one field, in any case, replaced by any JSON value (or a key added). */
const mutatedJob = fc
  .tuple(
    fc.constantFrom(
      'name',
      'Name',
      'schedule_expression',
      'SCHEDULE_EXPRESSION',
      'enabled',
      'details',
      'description',
      'timezone',
      'modified_by',
      'id',
      '__proto__',
      'constructor',
      'extra',
    ),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .map(([key, value]) => ({ ...VALID_JOB, [key]: value }));

const body = fc.oneof(
  fc.record({
    job: mutatedJob,
    tags: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
  }),
  fc.record({ Job: mutatedJob }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    job: fc.constant(VALID_JOB),
    tags: fc.array(
      fc.record({ key: fc.string({ minLength: 1, maxLength: 130 }), value: fc.string() }),
      { maxLength: 52 },
    ),
  }),
  fc.record({
    job: fc.record({
      name: fc.string(),
      schedule_expression: fc.oneof(
        fc.constantFrom('@every 5m', '@every 90s', '@hourly', '0 0 */2 * 1', '*/99 * * * *'),
        fc.string({ maxLength: 30 }),
      ),
      enabled: fc.boolean(),
      details: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })),
      timezone: fc.option(fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Olympus'), {
        nil: undefined,
      }),
    }),
  }),
);

const rawBody = fc.oneof(
  { arbitrary: body.map((b) => JSON.stringify(b)), weight: 6 },
  { arbitrary: fc.string({ maxLength: 50 }), weight: 1 },
  { arbitrary: fc.nat({ max: 60 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`), weight: 1 },
  { arbitrary: fc.constant(''), weight: 1 },
);

const token = fc.oneof(
  { arbitrary: fc.constant(TEST_TOKEN), weight: 8 },
  fc.constant(undefined),
  fc.string({ maxLength: 30 }),
  fc
    .tuple(fc.constantFrom('04', '05', '13', '31', '99'), fc.stringMatching(/^[./A-Za-z0-9]{53}$/))
    .map(([cost, rest]) => `$2b$${cost}$${rest}`),
);

const contentType = fc.oneof(
  { arbitrary: fc.constantFrom(undefined, 'application/json'), weight: 6 },
  fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=latin1',
    'multipart/form-data; boundary=x',
  ),
);

const request = fc.record({
  method: fc.oneof(
    { arbitrary: fc.constantFrom('GET', 'POST', 'PUT'), weight: 4 },
    fc.constantFrom('PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  ),
  path,
  query,
  token,
  contentType,
  body: fc.option(rawBody, { nil: undefined }),
});

describe(`fuzzing the API (${RUNS} generated requests, seed ${SEED})`, () => {
  let root: string;
  let dataDir: string;
  let t: TestApp;

  beforeAll(async () => {
    root = tempDir('minion-fuzz-');
    dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const config = testConfig(dataDir, {
      // Generated tokens fail by the hundred: keep the throttle out of the way of coverage.
      auth: { failureLimit: 100_000, bcryptConcurrency: 4 },
      jobsRepository: { type: 'file', config: { path: dataDir } },
    });
    t = await createTestApp({ dataDir, config });
    // A job with a known id, so PUT, PATCH, DELETE and the sub-routes reach their handlers.
    mkdirSync(join(dataDir, 'test', 'acct1', 'g'), { recursive: true });
    writeFileSync(join(dataDir, 'test', 'acct1', 'g', 'known'), JSON.stringify({ ...VALID_JOB }));
  });

  afterAll(async () => {
    await t.close();
    removeDir(root);
  });

  it('never answers 5xx; errors are JSON naming the field; writes stay in the data dir; documents load', async () => {
    const server = t.app.getHttpServer() as Server;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.token !== undefined) headers['X-Auth-Token'] = r.token;
        if (r.contentType !== undefined) headers['Content-Type'] = r.contentType;
        const res = await rawRequest(server, r.method, r.path + r.query, headers, r.body);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400 && r.method !== 'HEAD') {
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          const error = res.json() as Record<string, unknown>;
          expect(error).toEqual({
            statusCode: res.status,
            error: expect.any(String),
            message: expect.any(String),
          });
          if (res.status === 400) expect(error.message).toMatch(NAMES_A_FIELD);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Nothing outside the data directory.
    expect(readdirSync(root)).toEqual(['data']);
    // Every stored document still loads, and its schedule is usable.
    const repo = t.app.get(JobsRepository);
    for (const account of Object.keys(t.config.accounts)) {
      for (const key of await repo.listAccount(account)) {
        const [group, id] = key.split('/');
        await expect(repo.get({ account, group, id })).resolves.toBeDefined();
      }
    }
    const cache = t.app.get(JobCache);
    await expect(cache.load()).resolves.toBe(true);
    expect(cache.jobProblems().filter((p) => p.problem === 'schedule')).toEqual([]);
  }, 300_000);
});
