import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import { CaptureServer } from '../../test/support/capture-server';
import { WAIT_DEADLINE_MS, waitFor } from '../../test/support/manual-clock';
import { ManualClock, mockOf, newTestService } from '../../test/support/new-test-service';
import { MinionEvent } from './minion-event';
import { NotificationChannel } from './notification-channel';
import { DeliveryCounter, NotificationOptions, Notifications } from './notifications.service';

const NOW = '2026-01-05T10:00:00Z';

/** Delays of 1 and 2 ms between tries: retries cost no real time worth speaking of. */
const options: NotificationOptions = {
  org: 'o',
  replica: 'r1',
  retries: 2,
  bufferSize: 100,
  baseDelayMs: 1,
  timeoutMs: 5000,
};

const failed = (n: number): MinionEvent => ({
  type: 'run.failed',
  job: 'acct/g/j1',
  run_id: `acct/g/j1@${n}`,
  attempt: 1,
  final: true,
  runner: 'hello',
  error: `boom ${n}`,
});

/** A channel posting the event as JSON to `url` (with a secret in the path, as Slack's has). */
function channel(name: string, url: () => string): jest.Mocked<NotificationChannel> {
  const c = mockOf(NotificationChannel, { name });
  c.delivery.mockImplementation((event, context) => ({
    url: url(),
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...event, org: context.org, at: context.at.toISOString() }),
  }));
  return c;
}

/** A loopback port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

describe('Notifications', () => {
  const server = new CaptureServer();
  let base: string;
  let warn: jest.SpyInstance;

  beforeAll(async () => {
    base = await server.start();
  });

  afterAll(() => server.stop());

  beforeEach(() => {
    server.received.length = 0;
    server.reply = () => 200;
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  function setup(channels: NotificationChannel[], overrides: Partial<NotificationOptions> = {}) {
    const { sut, mocks } = newTestService(Notifications, {
      channels,
      options: { ...options, ...overrides },
      clock: new ManualClock(NOW),
      counter: { inc: jest.fn<void, Parameters<DeliveryCounter['inc']>>() },
    });
    return { notifications: sut, ...mocks };
  }

  /** The counter's calls as `channel:result`, in order. */
  const counted = (m: ReturnType<typeof setup>) =>
    m.counter.inc.mock.calls.map(([l]) => `${l.channel}:${l.result}`);

  it('delivers each event to every channel, in order, and counts them sent', async () => {
    const slack = channel('slack', () => `${base}/slack/T000/SECRET`);
    const hook = channel('webhook', () => `${base}/hook`);
    const m = setup([slack, hook]);

    m.notifications.notify(failed(1));
    m.notifications.notify(failed(2));
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(server.at('/slack/T000/SECRET').map((r) => r.json.run_id)).toEqual([
      'acct/g/j1@1',
      'acct/g/j1@2',
    ]);
    expect(server.at('/hook').map((r) => r.json.run_id)).toEqual(['acct/g/j1@1', 'acct/g/j1@2']);
    expect(server.received[0].json).toMatchObject({ org: 'o', at: '2026-01-05T10:00:00.000Z' });
    expect(slack.delivery).toHaveBeenCalledWith(failed(1), { org: 'o', at: new Date(NOW) });
    expect(counted(m).sort()).toEqual(['slack:sent', 'slack:sent', 'webhook:sent', 'webhook:sent']);
  });

  it.each([429, 500, 503])(
    'retries after HTTP %s, then counts the delivery sent',
    async (status) => {
      const m = setup([channel('webhook', () => `${base}/hook`)]);
      server.reply = () => (server.received.length === 1 ? status : 200);

      m.notifications.notify(failed(1));
      await m.notifications.flush(WAIT_DEADLINE_MS);

      expect(server.received).toHaveLength(2);
      expect(counted(m)).toEqual(['webhook:retried', 'webhook:sent']);
    },
  );

  it.each([400, 403, 404])('does not retry HTTP %s: one try, counted failed', async (status) => {
    const m = setup([channel('webhook', () => `${base}/hook/SECRET`)]);
    server.reply = () => status;

    m.notifications.notify(failed(1));
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(server.received).toHaveLength(1);
    expect(counted(m)).toEqual(['webhook:failed']);
    const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain(`webhook delivery failed (HTTP ${status})`);
    expect(logged).not.toContain('SECRET'); // never the URL
  });

  it('gives up after the configured retries, counting each retry and the failure', async () => {
    const m = setup([channel('webhook', () => `${base}/hook`)], { retries: 3 });
    server.reply = () => 502;

    m.notifications.notify(failed(1));
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(server.received).toHaveLength(4);
    expect(counted(m)).toEqual([
      'webhook:retried',
      'webhook:retried',
      'webhook:retried',
      'webhook:failed',
    ]);
  });

  it('retries a network error (connection refused), never logging the URL', async () => {
    const port = await closedPort();
    const m = setup([channel('webhook', () => `http://127.0.0.1:${port}/SECRET`)]);

    m.notifications.notify(failed(1));
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(counted(m)).toEqual(['webhook:retried', 'webhook:retried', 'webhook:failed']);
    const logged = warn.mock.calls.map((c) => String(c[0])).join('\n');
    expect(logged).toContain('webhook delivery failed');
    expect(logged).not.toContain('SECRET');
    expect(logged).not.toContain(String(port));
  });

  it('a full buffer drops the oldest waiting delivery and counts it', async () => {
    const m = setup([channel('webhook', () => `${base}/hook`)], { bufferSize: 2 });
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    server.reply = async (req) => {
      if (req.json.run_id === 'acct/g/j1@1') await held;
      return 200;
    };

    m.notifications.notify(failed(1)); // taken at once, then held by the server
    await waitFor(() => server.received.length === 1);
    m.notifications.notify(failed(2));
    m.notifications.notify(failed(3));
    m.notifications.notify(failed(4)); // a third waiting: 2 is dropped
    expect(counted(m)).toEqual(['webhook:dropped']);

    release();
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(server.received.map((r) => r.json.run_id)).toEqual([
      'acct/g/j1@1',
      'acct/g/j1@3',
      'acct/g/j1@4',
    ]);
    expect(counted(m)).toEqual(['webhook:dropped', 'webhook:sent', 'webhook:sent', 'webhook:sent']);
  });

  it('notify returns at once and never throws, whatever the endpoint does', async () => {
    const port = await closedPort();
    const m = setup([
      channel('down', () => `http://127.0.0.1:${port}/`),
      channel('refusing', () => `${base}/refusing`),
    ]);
    server.reply = () => 500;

    for (let i = 0; i < 5; i++) expect(m.notifications.notify(failed(i))).toBeUndefined();
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(
      counted(m)
        .filter((c) => c.endsWith(':failed'))
        .sort(),
    ).toEqual([...Array(5).fill('down:failed'), ...Array(5).fill('refusing:failed')]);
  });

  it('a request over timeoutMs is retried like a network error', async () => {
    const m = setup([channel('webhook', () => `${base}/slow`)], { timeoutMs: 10, retries: 1 });
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    server.reply = async () => {
      await held; // never answers in time
      return 200;
    };

    m.notifications.notify(failed(1));
    await m.notifications.flush(WAIT_DEADLINE_MS);
    release();

    expect(counted(m)).toEqual(['webhook:retried', 'webhook:failed']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('(TimeoutError)'));
  });

  it('works without a counter', async () => {
    const { sut } = newTestService(Notifications, {
      channels: [channel('webhook', () => `${base}/hook`)],
      options,
      clock: new ManualClock(NOW),
    });

    expect(() => sut.notify(failed(1))).not.toThrow();
    await sut.flush(WAIT_DEADLINE_MS);
    expect(server.received).toHaveLength(1);
  });

  it('announces its start on bootstrap with the replica and org', async () => {
    const m = setup([channel('webhook', () => `${base}/hook`)]);

    m.notifications.onApplicationBootstrap();
    await m.notifications.flush(WAIT_DEADLINE_MS);

    expect(server.received[0].json).toMatchObject({ type: 'startup', replica: 'r1', org: 'o' });
  });
});
