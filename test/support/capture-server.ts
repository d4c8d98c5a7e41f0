import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface Captured {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: Record<string, unknown>;
}

/**
 * A local HTTP endpoint that records what it receives (a Slack incoming webhook, a webhook
 * receiver), answering with the status `reply` gives (200 by default).
 */
export class CaptureServer {
  readonly received: Captured[] = [];
  reply: (req: Captured) => number | Promise<number> = () => 200;
  /** Its base URL, once started. */
  url = '';
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(body);
        } catch {
          // not JSON: kept as text
        }
        const captured = { path: req.url ?? '', headers: req.headers, body, json };
        this.received.push(captured);
        res.statusCode = await this.reply(captured);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  at(path: string): Captured[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * A CaptureServer for the enclosing `describe`: started before its first test (its base URL is
 * then `url`), stopped after its last.
 */
export function useCaptureServer(): CaptureServer {
  const server = new CaptureServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());
  return server;
}
