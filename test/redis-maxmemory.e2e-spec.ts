import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS_SERVER_AVAILABLE, redisQueueProvider } from './support/redis';
import { RedisProcess } from './support/redis-topologies';
import { waitFor } from './support/manual-clock';
import { createTestApp, removeDir, tempDir, testConfig } from './support/test-app';

/** Needs the redis-server binary; CI has it (.ci/run). */
const describeWithRedisServer =
  REDIS_SERVER_AVAILABLE || process.env.CI === 'true' ? describe : describe.skip;
if (!REDIS_SERVER_AVAILABLE && process.env.CI !== 'true') {
  console.warn('SKIPPED "maxmemory-policy at startup": redis-server is not installed.');
}

/** This suite's port (7120-7129). */
const PORT = 7120;

/** Starts minion on the Redis at PORT: the error it refused with, or null once it is up (closed). */
async function startOn(extra: Record<string, unknown> = {}): Promise<string | null> {
  const dataDir = tempDir();
  let app: NestFastifyApplication | undefined;
  try {
    const config = testConfig(dataDir, {
      queueProvider: redisQueueProvider('maxmemory', PORT, extra),
    });
    const t = await createTestApp({ dataDir, config, beforeInit: (a) => (app = a) });
    await t.http.get('/v1/minion/health/ready').expect(200);
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await app?.close();
    removeDir(dataDir);
  }
}

describeWithRedisServer('maxmemory-policy at startup', () => {
  let redis: RedisProcess | undefined;

  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('refuses a Redis that evicts keys, naming its policy and the fix', async () => {
    redis = await RedisProcess.server(PORT, ['--maxmemory-policy', 'allkeys-lru']);
    const refused = await startOn();
    expect(refused).toContain(`redis 127.0.0.1:${PORT}/0 has maxmemory-policy allkeys-lru`);
    expect(refused).toContain('Set maxmemory-policy noeviction');
  });

  it('reads the policy from INFO when CONFIG is renamed away (managed Redis)', async () => {
    redis = await RedisProcess.server(PORT, [
      '--maxmemory-policy',
      'volatile-ttl',
      '--rename-command',
      'CONFIG',
      '""',
    ]);
    expect(await startOn()).toContain('has maxmemory-policy volatile-ttl');
  });

  it('starts on noeviction, and as an ACL user allowed neither CONFIG nor INFO (with a warning)', async () => {
    redis = await RedisProcess.server(PORT, ['--maxmemory-policy', 'noeviction']);
    expect(await startOn()).toBeNull();
    await redis.stop();
    redis = await RedisProcess.server(PORT, [
      '--maxmemory-policy',
      'allkeys-random',
      '--user',
      'minion',
      'on',
      '>minion-pw',
      '~*',
      '&*',
      '+@all',
      '-config',
      '-info',
    ]);
    // The ACL user (username + password) connects; nothing tells it the policy: it says so, starts.
    expect(await startOn({ username: 'minion', password: 'minion-pw' })).toBeNull();
  });

  it('a Redis that comes up after startup with an evicting policy turns readiness down, naming it', async () => {
    const dataDir = tempDir();
    const config = testConfig(dataDir, { queueProvider: redisQueueProvider('maxmemory', PORT) });
    // Redis is down: minion starts anyway (readiness 503) and checks the policy once it connects.
    const t = await createTestApp({ dataDir, config, awaitScheduler: false });
    try {
      await t.http.get('/v1/minion/health/ready').expect(503);
      redis = await RedisProcess.server(PORT, ['--maxmemory-policy', 'allkeys-lfu']);
      await waitFor(async () => {
        const res = await t.http.get('/v1/minion/health/ready');
        return (
          res.status === 503 && JSON.stringify(res.body).includes('maxmemory-policy allkeys-lfu')
        );
      });
    } finally {
      await t.close();
      removeDir(dataDir);
    }
  }, 60_000);
});
