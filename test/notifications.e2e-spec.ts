import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { Notifications } from '../src/notifications/notifications.service';
import { useCaptureServer } from './support/capture-server';
import { BASE, createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock, waitFor } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';
import { ScriptedRunner } from './support/test-runners';

const SECRET = 'webhook-secret-0123456789';

/**
 * The original's eventReporters: Slack at startup and on every failed attempt, plus minion's
 * signed webhook, both against a local HTTP server (issue 9, point 5).
 */
describe('failure alerts: Slack and webhook (e2e)', () => {
  const receiver = useCaptureServer();
  let t: TestApp;

  beforeEach(() => {
    receiver.received.length = 0;
    receiver.reply = () => 200;
    ScriptedRunner.reset();
  });

  afterEach(() => stopTestApp(t));

  async function start(extra: Record<string, unknown> = {}) {
    t = await startTestApp({
      clock: new ManualClock('2026-01-05T10:00:10Z'),
      config: {
        eventReporters: {
          slack: {
            endpoint: `${receiver.url}/slack`,
            channel: '#ops',
            username: 'minion',
            icon: ':robot:',
          },
          webhook: { url: `${receiver.url}/hook`, secret: SECRET },
          retryDelay: '10ms',
          ...extra,
        },
      },
    });
  }

  const events = (type: string) => receiver.at('/hook').filter((r) => r.json.type === type);

  it('posts the startup to Slack in the original format', async () => {
    await start();
    await waitFor(() => receiver.at('/slack').length > 0);
    expect(receiver.at('/slack')[0].json).toEqual({
      text: expect.stringMatching(/^Starting minion \(id: .+, org: test\)$/),
      channel: '#ops',
      link_names: 1,
      username: 'minion',
      icon_emoji: ':robot:',
    });
  });

  it('reports every failed attempt, the last one as final, signed with HMAC-SHA256', async () => {
    await start();
    const id = await createJob(t, {
      details: { runner: 'scriptedRunner', behavior: 'fail-always' },
    });
    await t.authed.patch(`${BASE}/acct1/jobs/g/${id}`).expect(202);
    await drain(t);
    await waitFor(() => events('run.failed').length === 3);
    const failed = events('run.failed');
    expect(failed.map((f) => [f.json.attempt, f.json.final])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(failed[2].json).toMatchObject({
      job: `acct1/g/${id}`,
      runner: 'scriptedRunner',
      error: 'still failing (attempt 3)',
      org: 'test',
    });
    for (const f of failed) {
      const mac = createHmac('sha256', SECRET).update(f.body).digest('hex');
      expect(f.headers['x-minion-signature-256']).toBe(`sha256=${mac}`);
      expect(f.headers['x-minion-event']).toBe('run.failed');
    }
    await waitFor(() =>
      receiver.at('/slack').some((s) => String(s.json.text).includes('(3 tries)')),
    );
    expect(receiver.at('/slack').map((s) => s.json.text)).toContain(
      `failed running job (3 tries) acct1/g/${id}: still failing (attempt 3) (final attempt)`,
    );
  });

  it('reports occurrences missed while minion was down', async () => {
    await start();
    await createJob(t);
    await tickAt(t, '2026-01-05T10:01:00Z');
    await tickAt(t, '2026-01-05T12:10:00Z');
    await drain(t);
    await waitFor(() => events('occurrence.missed').length === 1);
    expect(events('occurrence.missed')[0].json).toMatchObject({ count: 113 });
  });

  it('retries a failed delivery with backoff, and counts it', async () => {
    let calls = 0;
    receiver.reply = (r) => (r.path === '/hook' && calls++ < 2 ? 503 : 200);
    await start();
    await waitFor(() => events('startup').length === 3);
    const metrics = (await t.http.get(`${BASE}/metrics`).expect(200)).text;
    expect(metrics).toMatch(
      /minion_notifications_total\{channel="webhook",result="retried"\} [2-9]/,
    );
    expect(metrics).toMatch(/minion_notifications_total\{channel="webhook",result="sent"\} [1-9]/);
  });

  it('never writes the webhook URL or secret to the log, even when delivery fails', async () => {
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      }),
    );
    try {
      receiver.reply = () => 500;
      await start({ retries: 1 });
      await waitFor(() => lines.some((l) => l.includes('webhook delivery failed')));
      expect(lines.join('\n')).not.toContain(receiver.url);
      expect(lines.join('\n')).not.toContain(SECRET);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });

  it('never blocks a run: a receiver that does not answer costs nothing, and a full buffer drops the oldest', async () => {
    let release!: () => void;
    const hung = new Promise<number>((r) => (release = () => r(200)));
    receiver.reply = (r) => (r.path === '/hook' ? hung : 200);
    await start({ bufferSize: 10, retries: 0 });
    const id = await createJob(t, { details: { runner: 'scriptedRunner', behavior: 'permanent' } });
    for (let i = 0; i < 15; i++) await t.authed.patch(`${BASE}/acct1/jobs/g/${id}`).expect(202);
    await drain(t);
    expect(ScriptedRunner.calls).toHaveLength(15);
    const metrics = (await t.http.get(`${BASE}/metrics`).expect(200)).text;
    expect(metrics).toMatch(
      /minion_notifications_total\{channel="webhook",result="dropped"\} [1-9]/,
    );
    release();
    await t.app.get(Notifications).flush(5000);
  });
});
