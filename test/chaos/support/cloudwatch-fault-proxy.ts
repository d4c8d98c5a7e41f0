import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * What CloudWatch Logs does meanwhile:
 * - `pass`: answers as the endpoint behind the proxy answers;
 * - `throttle`: PutLogEvents answered 400 ThrottlingException (other calls pass), as when the
 *   account's PutLogEvents quota is spent;
 * - `unavailable`: every call answered 503 ServiceUnavailableException;
 * - `refuse`: nothing listens on the port any more (connection refused), as when the endpoint
 *   is down; `heal` listens again on the same port.
 */
export type CloudWatchFault = 'pass' | 'throttle' | 'unavailable' | 'refuse';

/**
 * A fault-injecting HTTP proxy in front of a CloudWatch Logs endpoint (the fake AWS endpoint in
 * the tests), on an ephemeral port: point `logProvider.config.endpoint` at `endpoint`.
 */
export class CloudWatchFaultProxy {
  private mode: CloudWatchFault = 'pass';
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  /** Calls answered with a fault, by fault. */
  readonly faulted: Record<string, number> = { throttle: 0, unavailable: 0 };

  private constructor(private readonly upstream: URL) {
    this.server = this.newServer();
  }

  static async start(upstream: string): Promise<CloudWatchFaultProxy> {
    const proxy = new CloudWatchFaultProxy(new URL(upstream));
    await proxy.listen();
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async fault(mode: CloudWatchFault): Promise<void> {
    if (mode === this.mode) return;
    if (mode === 'refuse') await this.close();
    else if (this.mode === 'refuse') await this.listen();
    this.mode = mode;
  }

  heal(): Promise<void> {
    return this.fault('pass');
  }

  async stop(): Promise<void> {
    if (this.mode !== 'refuse') await this.close();
  }

  private newServer(): Server {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private async listen(): Promise<void> {
    this.server = this.newServer();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and cuts the open (keep-alive) connections. */
  private async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target'] ?? '');
    const fault =
      this.mode === 'unavailable' || (this.mode === 'throttle' && target.endsWith('.PutLogEvents'))
        ? this.mode
        : null;
    if (fault) {
      this.faulted[fault]++;
      req.resume();
      req.on('end', () => {
        const [status, type] =
          fault === 'throttle'
            ? [400, 'ThrottlingException']
            : [503, 'ServiceUnavailableException'];
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: type, message: 'Rate exceeded' }));
      });
      return;
    }
    const upstream = request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }
}
