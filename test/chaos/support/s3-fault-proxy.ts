import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with a request that `match`es (others always pass):
 * - `pass`: forwarded to S3 and answered as S3 answers;
 * - `slowdown`: answered 503 SlowDown with `Retry-After`, as S3 does when throttling;
 * - `hang`: never answered (the connection stays open until the mode changes or the client
 *   gives up); with `forward`, the request reaches S3 first, so the write lands but its answer
 *   is lost: the ambiguous case a client has to tell from a failure;
 * - `cut`: forwarded, and once S3 has answered the connection is cut instead (the write landed,
 *   the client sees a reset and its SDK retries).
 */
export type S3Fault =
  | { mode: 'pass' }
  | { mode: 'slowdown'; retryAfterSeconds: number }
  | { mode: 'hang'; forward?: boolean }
  | { mode: 'cut' };

export interface S3ProxyCounts {
  /** Requests seen, by method. */
  requests: Record<string, number>;
  slowdowns: number;
  hung: number;
  cut: number;
}

/**
 * A fault-injecting HTTP proxy in front of an S3 endpoint (s3rver in the tests), on an ephemeral
 * port. Point minion's `jobsRepository.config.endpoint` at `endpoint`, then `fault(...)` and
 * `heal()` during the test. Path-style requests only (what `forcePathStyle` sends).
 */
export class S3FaultProxy {
  private current: S3Fault = { mode: 'pass' };
  private matches: (method: string, path: string) => boolean = () => true;
  /** Faulted requests left before the proxy heals by itself (Infinity: until `heal`). */
  private remaining = Infinity;
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  readonly counts: S3ProxyCounts = { requests: {}, slowdowns: 0, hung: 0, cut: 0 };

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
  ) {}

  static async start(upstream: string): Promise<S3FaultProxy> {
    const server = createServer();
    const proxy = new S3FaultProxy(server, new URL(upstream));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => proxy.handle(req, res));
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * From now on, requests that `match` (default: all) meet `fault`; after `times` of them
   * (default: no limit) everything passes again.
   */
  fault(
    fault: S3Fault,
    options: { match?: (method: string, path: string) => boolean; times?: number } = {},
  ): void {
    this.current = fault;
    this.matches = options.match ?? (() => true);
    this.remaining = options.times ?? Infinity;
  }

  /** Back to passing everything; requests held by `hang` are cut (their clients see a reset). */
  heal(): void {
    this.current = { mode: 'pass' };
    this.matches = () => true;
    this.remaining = Infinity;
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    this.heal();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    this.counts.requests[method] = (this.counts.requests[method] ?? 0) + 1;
    let fault: S3Fault = { mode: 'pass' };
    if (this.current.mode !== 'pass' && this.matches(method, req.url ?? '/')) {
      fault = this.current;
      if (--this.remaining <= 0) this.current = { mode: 'pass' };
    }
    if (fault.mode === 'slowdown') {
      this.counts.slowdowns++;
      req.resume();
      req.on('end', () => {
        res.writeHead(503, {
          'Content-Type': 'application/xml',
          'Retry-After': String(fault.retryAfterSeconds),
        });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>' +
            '<Message>Please reduce your request rate.</Message></Error>',
        );
      });
      return;
    }
    if (fault.mode === 'hang') {
      this.counts.hung++;
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      if (fault.forward) this.forward(req, null);
      else req.resume();
      return;
    }
    if (fault.mode === 'cut') {
      this.counts.cut++;
      this.forward(req, null, () => res.socket?.destroy());
      return;
    }
    this.forward(req, res);
  }

  /**
   * Sends the request on to S3; its answer goes to `res`, or nowhere (null: the answer is lost,
   * and `answered` is called once S3 has answered).
   */
  private forward(req: IncomingMessage, res: ServerResponse | null, answered?: () => void): void {
    const upstream = request(
      {
        host: this.upstream.hostname,
        port: this.upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (!res) {
          answer.resume();
          answer.on('end', () => answered?.());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res?.destroy());
    req.pipe(upstream);
  }
}
