import { createServer, Server, Socket } from 'node:net';
import { coordinationSettings } from '../coordination.config';
import { RedisConnections } from './redis-connections';

describe('RedisConnections', () => {
  let server: Server;

  afterEach(() => new Promise((r) => server.close(r)));

  it('closes within its bound while Redis does not answer (connections accepted, never served)', async () => {
    const held: Socket[] = [];
    server = createServer((socket) => held.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const settings = coordinationSettings(
      { type: 'redis', config: { host: '127.0.0.1', port, keyPrefix: 'cut' } },
      {
        org: 'o',
        dataDir: '',
        retry: { attempts: 1, delayMs: 1 },
        runTimeoutMs: 1000,
        settleWithinMs: 0,
      },
    ).backend;
    if (settings.type !== 'redis') throw new Error('expected Redis settings');
    const redis = new RedisConnections(settings.redis);
    // Connected, never ready: a QUIT waits for the connection to become ready.
    await new Promise((r) => redis.subscriber.once('connect', r));
    const started = Date.now();
    await redis.close(500);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(redis.subscriber.status).not.toBe('ready');
    held.forEach((s) => s.destroy());
  });
});
