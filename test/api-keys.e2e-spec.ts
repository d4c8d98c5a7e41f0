import * as bcrypt from '@node-rs/bcrypt';
import request from 'supertest';
import { BASE } from './support/jobs-helpers';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TEST_TOKEN, TestApp } from './support/test-app';
import openapi from '../openapi.json';

const SECRETS = {
  'a-write': 'a-write-secret-0123456789',
  'a-run': 'a-run-secret-0123456789',
  'a-read': 'a-read-secret-0123456789',
  'b-write': 'b-write-secret-0123456789',
  'g-write': 'g-write-secret-0123456789',
  'portal-read': 'portal-read-secret-0123456789',
} as const;
type KeyName = keyof typeof SECRETS | 'token';

const JOB = {
  name: 'hello',
  schedule_expression: '0 8 * * *',
  enabled: true,
  details: { runner: 'dummyRunner' },
};

const CALENDAR = { timezone: 'UTC', dates: ['2026-12-25'] };

/** What each kind of key must get on a route of acct1/g by the route's access level. */
type Expect = 'allowed' | 'forbidden' | 'not found';
const EXPECTED: Record<KeyName, Record<'read' | 'run' | 'write', Expect>> = {
  token: { read: 'allowed', run: 'allowed', write: 'allowed' },
  'a-write': { read: 'allowed', run: 'allowed', write: 'allowed' },
  'a-run': { read: 'allowed', run: 'allowed', write: 'forbidden' },
  'a-read': { read: 'allowed', run: 'forbidden', write: 'forbidden' },
  'b-write': { read: 'not found', run: 'not found', write: 'not found' },
  'g-write': { read: 'allowed', run: 'allowed', write: 'allowed' },
  'portal-read': { read: 'allowed', run: 'forbidden', write: 'forbidden' },
};

/** The access level each operation needs: run now and the dry runs are `run`. */
function accessOf(method: string, path: string): 'read' | 'run' | 'write' {
  if (method === 'get') return 'read';
  if (method === 'patch' || /\/(dry-run|pause|resume)$/.test(path)) return 'run';
  return 'write';
}

/**
 * Scoped API keys (issue 15) as a matrix: every authenticated operation of the OpenAPI document
 * × every kind of key. Out of scope is the 404 of an account that does not exist (no existence
 * leak); in scope below the route's level is 403; the original token keeps full access.
 */
describe('scoped API keys: every route x every key', () => {
  let t: TestApp;

  beforeAll(async () => {
    const portalHash = await bcrypt.hash(SECRETS['portal-read'], 4);
    t = await startTestApp({
      dataDirPrefix: 'minion-keys-',
      config: {
        apiKeys: [
          { name: 'a-write', token: SECRETS['a-write'], accounts: ['acct1'], access: 'write' },
          { name: 'a-run', token: SECRETS['a-run'], accounts: ['acct1'], access: 'run' },
          { name: 'a-read', token: SECRETS['a-read'], accounts: ['acct1'], access: 'read' },
          { name: 'b-write', token: SECRETS['b-write'], accounts: ['acct2'], access: 'write' },
          {
            name: 'g-write',
            token: SECRETS['g-write'],
            accounts: ['acct1'],
            groups: ['g'],
            access: 'write',
          },
          // Held as a bcrypt hash: the config holds no plaintext for it.
          { name: 'portal-read', token: portalHash, accounts: ['*'], access: 'read' },
        ],
      },
    });
    await t.authed.put(`${BASE}/acct1/calendars/hol`).send(CALENDAR).expect(200);
  });

  afterAll(() => stopTestApp(t));

  const secretOf = (key: KeyName) => (key === 'token' ? TEST_TOKEN : SECRETS[key]);

  async function freshJob(group = 'g'): Promise<string> {
    const res = await t.authed.post(`${BASE}/acct1/jobs/${group}`).send({ job: JOB }).expect(200);
    return res.body.job.id;
  }

  function send(method: string, url: string, key: KeyName) {
    const server = t.app.getHttpServer();
    const req = (request(server) as unknown as Record<string, (u: string) => request.Test>)[method](
      url,
    );
    req.set('X-Auth-Token', secretOf(key));
    if (/\/pause$/.test(url)) req.send({ reason: 'matrix' });
    else if (url.includes('/calendars/')) req.send(CALENDAR);
    else if (method === 'post' || method === 'put') req.send({ job: JOB });
    return req;
  }

  const operations = Object.entries(
    openapi.paths as Record<string, Record<string, { security?: unknown[] }>>,
  )
    .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })))
    .filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0));

  it('covers the twenty-five authenticated operations of the document', () => {
    expect(operations).toHaveLength(25);
  });

  for (const key of Object.keys(EXPECTED) as KeyName[]) {
    it(`key ${key}: each operation on acct1/g answers as its scope says`, async () => {
      const seen: string[] = [];
      for (const { path, method } of operations) {
        const id = await freshJob();
        const url = path
          .replace('{account}', 'acct1')
          .replace('{group}', 'g')
          .replace('{id}', id)
          .replace('{name}', 'hol');
        // A route of no account (`/whoami`) answers every valid key.
        const expected = path.includes('{account}')
          ? EXPECTED[key][accessOf(method, path)]
          : 'allowed';
        const res = await send(method, url, key);
        const label = `${method.toUpperCase()} ${path}: ${res.status} ${JSON.stringify(res.body)}`;
        if (expected === 'allowed') {
          expect([label, res.status < 400]).toEqual([label, true]);
        } else if (expected === 'forbidden') {
          expect([label, res.status, res.body.message]).toEqual([
            label,
            403,
            `key "${key}" has ${key.endsWith('read') ? 'read' : 'run'} access; this route needs ${accessOf(method, path)}`,
          ]);
        } else {
          // Exactly what an account that does not exist answers: nothing tells them apart.
          const ghost = await send(method, url.replace('/acct1/', '/nosuchacct/'), 'token');
          expect([label, res.status, res.body.message]).toEqual([
            label,
            404,
            'account not found: acct1',
          ]);
          expect(ghost.status).toBe(404);
          expect(ghost.body.message).toBe('account not found: nosuchacct');
        }
        seen.push(`${method} ${path}`);
      }
      expect(seen).toHaveLength(25);
    });
  }

  it('a group-scoped key: other groups are not found, and the account listing shows its groups only', async () => {
    const inG = await freshJob('g');
    const inH = await freshJob('h');
    const get = (group: string, id: string) =>
      send('get', `${BASE}/acct1/jobs/${group}/${id}`, 'g-write');
    expect((await get('g', inG)).status).toBe(200);
    const other = await get('h', inH);
    expect([other.status, other.body.message]).toEqual([404, `job not found: h/${inH}`]);
    expect((await send('delete', `${BASE}/acct1/jobs/h`, 'g-write')).status).toBe(404);
    const listed = await send('get', `${BASE}/acct1/jobs`, 'g-write').expect(200);
    expect(listed.body).toContain(`g/${inG}`);
    expect(listed.body.every((e: string) => e.startsWith('g/'))).toBe(true);
    const all = await send('get', `${BASE}/acct1/jobs`, 'token').expect(200);
    expect(all.body).toContain(`h/${inH}`);
  });

  it('a wrong secret is still 403 invalid token, whatever keys exist', async () => {
    const res = await request(t.app.getHttpServer())
      .get(`${BASE}/acct1/jobs`)
      .set('X-Auth-Token', 'a-write-secret-0123456780')
      .expect(403);
    expect(res.body.message).toBe('invalid token');
  });
});
