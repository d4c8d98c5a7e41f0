import { CloudWatchLogsClient, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../test/support/manual-clock';
import { NewAuditEntry } from './audit-entry';
import { CloudWatchAuditLog } from './cloudwatch-audit-log';

const cw = mockClient(CloudWatchLogsClient);
const entry = (n: number): NewAuditEntry => ({
  at: `2026-01-05T10:00:0${n}Z`,
  action: 'update',
  account: 'acct',
  group: 'g',
  id: `j${n}`,
  key: 'token',
  client: '127.0.0.1',
});

describe('CloudWatchAuditLog while CloudWatch cannot take entries', () => {
  let dir: string;
  let retries: (() => void)[];
  const log = () => {
    const l = new CloudWatchAuditLog(new CloudWatchLogsClient({ region: 'us-east-1' }), 'org', 90, {
      limits: {
        bufferRecords: 100,
        spillFile: join(dir, 'audit.jsonl'),
        spillMaxBytes: 1024 * 1024,
        retryMs: 1000,
        maxRetryMs: 60_000,
      },
      schedule: (task) => {
        retries.push(task);
        return () => (retries = retries.filter((t) => t !== task));
      },
    });
    l.onModuleInit();
    return l;
  };

  beforeEach(() => {
    cw.reset();
    dir = mkdtempSync(join(tmpdir(), 'minion-audit-outbox-'));
    retries = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds entries while throttled (the write still answers), delivers them in order, once, afterwards', async () => {
    cw.on(PutLogEventsCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const l = log();
    for (let n = 1; n <= 3; n++) await expect(l.record(entry(n))).resolves.toBeUndefined();
    // The first entry met the throttling; the next ones queued behind it without a call.
    expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(1);
    expect(l.heldRecords?.buffered).toBe(3);
    cw.reset();
    cw.on(PutLogEventsCommand).resolves({});
    retries.shift()?.();
    await waitFor(() => l.heldRecords?.buffered === 0);
    const sent = cw
      .commandCalls(PutLogEventsCommand)
      .flatMap((c) => c.args[0].input.logEvents ?? [])
      .map((e) => (JSON.parse(e.message ?? '{}') as NewAuditEntry).id);
    expect(sent).toEqual(['j1', 'j2', 'j3']);
    expect(cw.commandCalls(PutLogEventsCommand)[0].args[0].input).toMatchObject({
      logGroupName: 'org-audit',
      logStreamName: 'acct',
    });
    await l.onApplicationShutdown();
  });

  it('an access denied is still an error (the Auditor counts it), not held', async () => {
    cw.on(PutLogEventsCommand).rejects(
      Object.assign(new Error('denied'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const l = log();
    await expect(l.record(entry(1))).rejects.toThrow('denied');
    expect(l.heldRecords?.totals.held).toBe(0);
    await l.onApplicationShutdown();
  });
});
