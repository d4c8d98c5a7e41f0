import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import request from 'supertest';
import { useRequestLogging } from './request-logging';

async function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const app = Fastify();
  const logRefused = useRequestLogging(app, pino({ level: 'info' }, sink));
  app.get('/v1/minion/ping', async () => 'pong');
  app.get('/v1/minion/acct/jobs/:group', async () => []);
  app.get('/v1/minion/boom', async (_req, reply) => reply.status(500).send({}));
  await app.ready();
  return { app, lines, logRefused };
}

describe('useRequestLogging', () => {
  it('one line per request with method, URL, status and time; never a header', async () => {
    const { app, lines } = await appWithLog();
    await request(app.server)
      .get('/v1/minion/acct/jobs/g?limit=2')
      .set('X-Auth-Token', 'sekrit-token')
      .expect(200);
    await request(app.server).get('/v1/minion/boom').set('Authorization', 'Bearer sekrit-token');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 1, method: 'GET', url: '/v1/minion/acct/jobs/g?limit=2' },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0].responseTime).toBe('number');
    expect(lines[1]).toMatchObject({
      level: 50,
      msg: 'request errored',
      req: { id: 2 },
      res: { statusCode: 500 },
    });
    expect(JSON.stringify(lines)).not.toContain('sekrit');
    await app.close();
  });

  it('leaves probes out', async () => {
    const { app, lines } = await appWithLog();
    await request(app.server).get('/v1/minion/ping').expect(200);
    expect(lines).toEqual([]);
    await app.close();
  });

  it('logs a request refused before any hook ran, numbered with the others', async () => {
    const { app, lines, logRefused } = await appWithLog();
    await request(app.server).get('/v1/minion/acct/jobs/g').expect(200);
    const refused = { method: 'GET', url: '/v1/minion/acct/jobs/%zz', ip: '10.0.0.1' };
    logRefused(refused as never, 400);
    expect(lines[1]).toMatchObject({
      msg: 'request completed',
      req: { id: 2, method: 'GET', url: '/v1/minion/acct/jobs/%zz', remoteAddress: '10.0.0.1' },
      res: { statusCode: 400 },
    });
    await app.close();
  });
});
