import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestLogging } from './request-logging';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const app = express();
  app.use(requestLogging(pino({ level: 'info' }, sink)));
  app.get('/v1/minion/ping', (_req, res) => res.send('pong'));
  app.get('/v1/minion/acct/jobs/:group', (_req, res) => res.json([]));
  app.get('/v1/minion/boom', (_req, res) => res.status(500).json({}));
  return { app, lines };
}

describe('requestLogging', () => {
  it('one line per request with method, URL, status and time; never a header', async () => {
    const { app, lines } = appWithLog();
    await request(app)
      .get('/v1/minion/acct/jobs/g')
      .set('X-Auth-Token', 'sekrit-token')
      .expect(200);
    await request(app).get('/v1/minion/boom').set('Authorization', 'Bearer sekrit-token');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 1, method: 'GET', url: '/v1/minion/acct/jobs/g' },
      res: { statusCode: 200 },
    });
    expect(typeof lines[0].responseTime).toBe('number');
    expect(lines[1]).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 500 } });
    expect(JSON.stringify(lines)).not.toContain('sekrit');
  });

  it('leaves probes out', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/v1/minion/ping').expect(200);
    expect(lines).toEqual([]);
  });
});
