import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of Redis for one replica: `cut()` drops its connections and refuses new
 * ones (that replica loses Redis, nothing else does), `restore()` lets it connect again.
 */
export class RedisProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private server?: Server;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.cutOff) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      upstream.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.port = (this.server?.address() as AddressInfo).port;
    return this.port;
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise((r) => (this.server ? this.server.close(r) : r(undefined)));
  }
}
