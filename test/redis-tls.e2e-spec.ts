import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { killProcess } from './support/build-app';
import { allRuns, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { REDIS_SERVER_AVAILABLE } from './support/redis';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

/** Needs redis-server (built with TLS, as Debian's is) and openssl; CI has both. */
const describeWithRedisServer =
  REDIS_SERVER_AVAILABLE || process.env.CI === 'true' ? describe : describe.skip;
if (!REDIS_SERVER_AVAILABLE && process.env.CI !== 'true') {
  console.warn('SKIPPED "Redis over TLS": redis-server is not installed.');
}

/** This suite's port (7140-7149). */
const PORT = 7140;
const SERVERNAME = 'redis.minion.test';

/** A private CA and a server certificate for SERVERNAME, signed by it, in `dir`. */
function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=minion test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  run(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${SERVERNAME}`,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  writeFileSync(join(dir, 'san.ext'), `subjectAltName=DNS:${SERVERNAME}\n`);
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
}

describeWithRedisServer('Redis over TLS, as an ACL user', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'minion-redis-tls-'));
    makeCertificates(dir);
    child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(PORT),
        '--bind',
        '127.0.0.1',
        '--tls-cert-file',
        join(dir, 'server.pem'),
        '--tls-key-file',
        join(dir, 'server.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.pem'),
        '--tls-auth-clients',
        'no',
        '--save',
        '',
        '--dir',
        dir,
        '--user',
        'default',
        'off',
        '--user',
        'minion',
        'on',
        '>tls-secret',
        '~*',
        '&*',
        '+@all',
      ],
      { stdio: 'ignore' },
    );
    const probe = new Redis({
      host: '127.0.0.1',
      port: PORT,
      username: 'minion',
      password: 'tls-secret',
      tls: { ca: readFileSync(join(dir, 'ca.pem')), servername: SERVERNAME },
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    await waitFor(async () => {
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      }
    }, 60_000);
    probe.disconnect();
  }, 120_000);

  afterEach(async () => {
    await stopTestApp(t);
    t = undefined;
  });

  afterAll(async () => {
    await killProcess(child);
    rmSync(dir, { recursive: true, force: true });
  });

  function start(config: Record<string, unknown>) {
    return startTestApp({
      clock: new ManualClock('2026-01-05T10:00:10Z'),
      awaitScheduler: false,
      config: {
        queueProvider: { type: 'redis', config: { host: '127.0.0.1', port: PORT, ...config } },
        scheduler: { retryDelay: '10ms', shutdownTimeout: '1s' },
      },
    });
  }

  it('connects with the CA file and server name, and runs occurrences', async () => {
    t = await start({
      username: 'minion',
      password: 'tls-secret',
      tls: { ca: join(dir, 'ca.pem'), servername: SERVERNAME },
    });
    const ready = await t.http.get('/v1/minion/health/ready').expect(200);
    expect(JSON.stringify(ready.body)).toContain(`redis (tls) 127.0.0.1:${PORT}/0`);
    const id = await createJob(t);
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    expect((await allRuns(t, id)).map((r) => r.status)).toEqual(['succeeded']);
  }, 60_000);
});
