import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { ServiceUnavailableError } from '../common/errors';
import { JobDocument } from '../domain/job-document';
import { fitEvent, MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './cloudwatch-batch';
import { CloudWatchJobLog } from './cloudwatch-job-log';
import { RunRecord } from '../domain/run-record';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../test/support/manual-clock';

const cw = mockClient(CloudWatchLogsClient);
const key = { account: 'acct', group: 'space-xy', id: 'job-1' };
const doc: JobDocument = {
  account: 'acct',
  description: '',
  details: { runner: 'dummyRunner' },
  group: 'space-xy',
  id: 'job-1',
  modified_at: '',
  modified_by: '',
  name: 'n',
  schedule_expression: '* * * * *',
  enabled: true,
  tags: [
    { key: 'foo', value: 'bar' },
    { key: 'baz', value: 'biz' },
  ],
};
const awsError = (name: string, status = 400) =>
  Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
const record = (
  i: number,
  at = Date.parse('2026-01-05T10:00:00Z') + i * 1000,
  extra = '',
): RunRecord => ({
  run_id: `acct/space-xy/job-1@${i}`,
  trigger: 'schedule',
  scheduled_for: null,
  attempt: 1,
  status: 'succeeded',
  started_at: new Date(at).toISOString(),
  finished_at: new Date(at).toISOString(),
  duration_ms: 1,
  output: extra,
});
const log = (deleteLogs = false) =>
  new CloudWatchJobLog(
    new CloudWatchLogsClient({ region: 'us-east-1' }),
    'acme',
    90,
    deleteLogs,
    1,
  );

describe('CloudWatchJobLog', () => {
  beforeEach(async () => {
    cw.reset();
  });

  describe('jobSaved', () => {
    it('creates the group <org>-<group> with the tags, sets 90-day retention, creates the stream <id>', async () => {
      await log().jobSaved(doc);
      expect(cw.commandCalls(CreateLogGroupCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        tags: { foo: 'bar', baz: 'biz' },
      });
      expect(cw.commandCalls(PutRetentionPolicyCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        retentionInDays: 90,
      });
      expect(cw.commandCalls(CreateLogStreamCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        logStreamName: 'job-1',
      });
      expect(cw.commandCalls(TagLogGroupCommand)).toHaveLength(0);
    });

    it('on update (group and stream exist): refreshes tags and retention, "already exists" is fine', async () => {
      cw.on(CreateLogGroupCommand).rejects(awsError('ResourceAlreadyExistsException'));
      cw.on(CreateLogStreamCommand).rejects(awsError('ResourceAlreadyExistsException'));
      await log().jobSaved(doc);
      expect(cw.commandCalls(TagLogGroupCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        tags: { foo: 'bar', baz: 'biz' },
      });
      expect(cw.commandCalls(PutRetentionPolicyCommand)).toHaveLength(1);
    });

    it('other errors propagate', async () => {
      cw.on(CreateLogGroupCommand).rejects(awsError('AccessDeniedException'));
      await expect(log().jobSaved(doc)).rejects.toThrow('AccessDeniedException');
    });
  });

  describe('append', () => {
    it('sends each record as one event, the JSON of the record, timestamped at its end', async () => {
      cw.on(PutLogEventsCommand).resolves({});
      const l = log();
      await l.append(key, record(1));
      await l.flush();
      const input = cw.commandCalls(PutLogEventsCommand)[0].args[0].input;
      expect(input.logGroupName).toBe('acme-space-xy');
      expect(input.logStreamName).toBe('job-1');
      expect(input.logEvents).toEqual([
        { timestamp: Date.parse('2026-01-05T10:00:01Z'), message: JSON.stringify(record(1)) },
      ]);
    });

    it('batches records that arrive while a batch is in flight, in time order', async () => {
      let release!: () => void;
      cw.on(PutLogEventsCommand)
        .callsFakeOnce(() => new Promise((r) => (release = () => r({}))))
        .resolves({});
      const l = log();
      const first = l.append(key, record(1));
      const rest = [5, 3, 4, 2].map((i) => l.append(key, record(i)));
      release();
      await Promise.all([first, ...rest]);
      await l.flush();
      const calls = cw
        .commandCalls(PutLogEventsCommand)
        .map((c) => c.args[0].input.logEvents!.map((e) => JSON.parse(e.message!).run_id));
      expect(calls).toEqual([
        ['acct/space-xy/job-1@1'],
        [
          'acct/space-xy/job-1@2',
          'acct/space-xy/job-1@3',
          'acct/space-xy/job-1@4',
          'acct/space-xy/job-1@5',
        ],
      ]);
    });

    it('splits batches at 10,000 events', async () => {
      let release!: () => void;
      cw.on(PutLogEventsCommand)
        .callsFakeOnce(() => new Promise((r) => (release = () => r({}))))
        .resolves({});
      const l = log();
      const all = [l.append(key, record(0))];
      for (let i = 1; i <= 10_500; i++) {
        // Small records, so the event count (not the 1 MiB) is the limit that binds.
        const tiny = {
          run_id: String(i),
          finished_at: new Date(Date.parse('2026-01-05T10:00:00Z') + i).toISOString(),
        };
        all.push(l.append(key, tiny as RunRecord));
      }
      release();
      await Promise.all(all);
      await l.flush();
      expect(
        cw.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input.logEvents!.length),
      ).toEqual([1, 10_000, 500]);
    });

    it('splits batches at 1 MiB counting 26 bytes per event', async () => {
      let release!: () => void;
      cw.on(PutLogEventsCommand)
        .callsFakeOnce(() => new Promise((r) => (release = () => r({}))))
        .resolves({});
      const l = log();
      const big = 'x'.repeat(200_000);
      const all = [l.append(key, record(0))];
      for (let i = 1; i <= 7; i++) all.push(l.append(key, record(i, undefined, big)));
      release();
      await Promise.all(all);
      await l.flush();
      const batches = cw
        .commandCalls(PutLogEventsCommand)
        .slice(1)
        .map((c) => c.args[0].input.logEvents!);
      expect(batches.map((b) => b.length)).toEqual([5, 2]);
      for (const b of batches) {
        expect(b.reduce((n, e) => n + Buffer.byteLength(e.message!) + 26, 0)).toBeLessThanOrEqual(
          MAX_BATCH_BYTES,
        );
      }
    });

    it('splits batches spanning more than 24 hours', async () => {
      let release!: () => void;
      cw.on(PutLogEventsCommand)
        .callsFakeOnce(() => new Promise((r) => (release = () => r({}))))
        .resolves({});
      const l = log();
      const day = 24 * 3_600_000;
      const t0 = Date.parse('2026-01-05T00:00:00Z');
      const all = [
        l.append(key, record(0, t0 - 1000)),
        l.append(key, record(1, t0)),
        l.append(key, record(2, t0 + day - 1000)),
        l.append(key, record(3, t0 + day + 1000)),
      ];
      release();
      await Promise.all(all);
      await l.flush();
      expect(
        cw.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input.logEvents!.length),
      ).toEqual([1, 2, 1]);
    });

    it('retries on throttling, then succeeds', async () => {
      cw.on(PutLogEventsCommand)
        .rejectsOnce(awsError('ThrottlingException'))
        .rejectsOnce(awsError('ServiceUnavailableException', 503))
        .resolves({});
      const l = log();
      await l.append(key, record(1));
      await l.flush();
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(3);
      expect(l.writeFailures).toBe(0);
    });

    it('gives up after 5 attempts: the record is counted as lost, the run path never sees it', async () => {
      cw.on(PutLogEventsCommand).rejects(awsError('ThrottlingException'));
      const l = log();
      await expect(l.append(key, record(1))).resolves.toBeUndefined();
      await l.flush();
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(5);
      expect(l.writeFailures).toBe(1);
    });

    it('does not retry a bad request', async () => {
      cw.on(PutLogEventsCommand).rejects(awsError('InvalidParameterException'));
      const l = log();
      await l.append(key, record(1));
      await l.flush();
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(1);
      expect(l.writeFailures).toBe(1);
    });

    it('creates a missing group and stream (a job created by the original), then sends', async () => {
      cw.on(PutLogEventsCommand).rejectsOnce(awsError('ResourceNotFoundException')).resolves({});
      const l = log();
      await l.append(key, record(1));
      await l.flush();
      expect(cw.commandCalls(CreateLogGroupCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
      });
      expect(cw.commandCalls(CreateLogStreamCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        logStreamName: 'job-1',
      });
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(2);
    });
  });

  describe('while CloudWatch cannot take records (the outbox)', () => {
    let dir: string;
    let retries: (() => void)[];
    const held = () =>
      new CloudWatchJobLog(
        new CloudWatchLogsClient({ region: 'us-east-1' }),
        'acme',
        90,
        false,
        1,
        {
          limits: {
            bufferRecords: 4,
            spillFile: join(dir, 'runs.jsonl'),
            spillMaxBytes: 1024 * 1024,
            retryMs: 1000,
            maxRetryMs: 60_000,
          },
          // Retries run when the test says so.
          schedule: (task) => {
            retries.push(task);
            return () => (retries = retries.filter((t) => t !== task));
          },
        },
      );
    const sentMessages = () =>
      cw
        .commandCalls(PutLogEventsCommand)
        .filter((c) => c.returnValue !== undefined)
        .flatMap((c) => c.args[0].input.logEvents?.map((e) => e.message) ?? []);

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'minion-cw-outbox-'));
      retries = [];
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('holds the records of a throttled batch and every record after it, then delivers each once', async () => {
      cw.on(PutLogEventsCommand).rejects(awsError('ThrottlingException'));
      const l = held();
      l.onModuleInit();
      await l.append(key, record(0));
      await l.flush();
      // Tried 5 times, then held: not a failure.
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(5);
      expect(l.writeFailures).toBe(0);
      for (let i = 1; i < 10; i++) await l.append(key, record(i));
      await l.flush();
      // Queued behind the held one, without trying CloudWatch: 4 in memory, 6 on disk.
      expect(cw.commandCalls(PutLogEventsCommand)).toHaveLength(5);
      expect(l.heldRecords).toMatchObject({ buffered: 4, spilled: 6 });
      cw.reset();
      cw.on(PutLogEventsCommand).resolves({});
      expect(retries).toHaveLength(1);
      retries.shift()?.();
      await waitFor(() => l.heldRecords?.buffered === 0 && l.heldRecords?.spilled === 0);
      const messages = cw
        .commandCalls(PutLogEventsCommand)
        .flatMap((c) => c.args[0].input.logEvents?.map((e) => e.message) ?? []);
      expect(messages.map((m) => (JSON.parse(m ?? '{}') as RunRecord).run_id)).toEqual(
        Array.from({ length: 10 }, (_, i) => `acct/space-xy/job-1@${i}`),
      );
      expect(l.heldRecords?.totals).toEqual({ held: 10, spilled: 6, delivered: 10, dropped: 0 });
      // Delivered: the next record goes straight to CloudWatch again.
      await l.append(key, record(10));
      await l.flush();
      expect(sentMessages()).toHaveLength(11);
      await l.onApplicationShutdown();
    });

    it('a shutdown during the outage keeps the held records on disk; the next start delivers them', async () => {
      cw.on(PutLogEventsCommand).rejects(
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      );
      const first = held();
      first.onModuleInit();
      for (let i = 0; i < 3; i++) await first.append(key, record(i));
      await first.flush();
      await first.onApplicationShutdown();
      expect(first.writeFailures).toBe(0);
      cw.reset();
      cw.on(PutLogEventsCommand).resolves({});
      const second = held();
      second.onModuleInit();
      expect(second.heldRecords?.spilled).toBe(3);
      retries.shift()?.();
      await waitFor(() => second.heldRecords?.spilled === 0);
      expect(sentMessages().map((m) => (JSON.parse(m ?? '{}') as RunRecord).run_id)).toEqual([
        'acct/space-xy/job-1@0',
        'acct/space-xy/job-1@1',
        'acct/space-xy/job-1@2',
      ]);
      await second.onApplicationShutdown();
    });

    it('reading the history while CloudWatch is out is a 503 naming the cause, never a 500', async () => {
      cw.on(GetLogEventsCommand).rejects(awsError('ThrottlingException'));
      const error = await log()
        .list(key, 10)
        .catch((e: Error) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as Error).message).toBe(
        'read the run history: CloudWatch Logs cannot be reached (ThrottlingException); retry later',
      );
      cw.on(GetLogEventsCommand).rejects(awsError('AccessDeniedException'));
      await expect(log().list(key, 10)).rejects.toThrow('AccessDeniedException');
    });

    it('a bad request is still a failure, not held', async () => {
      cw.on(PutLogEventsCommand).rejects(awsError('InvalidParameterException'));
      const l = held();
      l.onModuleInit();
      await l.append(key, record(1));
      await l.flush();
      expect(l.writeFailures).toBe(1);
      expect(l.heldRecords?.totals.held).toBe(0);
      await l.onApplicationShutdown();
    });
  });

  describe('list', () => {
    it('reads the stream backwards: newest first, limit honoured, across pages', async () => {
      const events = (ids: number[]) =>
        ids.map((i) => ({ timestamp: i, message: JSON.stringify(record(i)) }));
      cw.on(GetLogEventsCommand)
        .resolvesOnce({ events: events([8, 9, 10]), nextBackwardToken: 'b1' })
        .resolvesOnce({ events: events([5, 6, 7]), nextBackwardToken: 'b2' });
      const runs = await log().list(key, 5);
      expect(runs.map((r) => r.run_id.split('@')[1])).toEqual(['10', '9', '8', '7', '6']);
      const inputs = cw.commandCalls(GetLogEventsCommand).map((c) => c.args[0].input);
      expect(inputs[0]).toEqual({
        logGroupName: 'acme-space-xy',
        logStreamName: 'job-1',
        startFromHead: false,
        limit: 5,
        nextToken: undefined,
      });
      expect(inputs[1]).toMatchObject({ limit: 2, nextToken: 'b1' });
    });

    it('stops when the token repeats (the start of the stream)', async () => {
      cw.on(GetLogEventsCommand)
        .resolvesOnce({
          events: [{ timestamp: 1, message: JSON.stringify(record(1)) }],
          nextBackwardToken: 'b1',
        })
        .resolves({ events: [], nextBackwardToken: 'b1' });
      expect(await log().list(key, 20)).toHaveLength(1);
    });

    it('a job with no stream yet has no runs', async () => {
      cw.on(GetLogEventsCommand).rejects(awsError('ResourceNotFoundException'));
      expect(await log().list(key, 20)).toEqual([]);
    });
  });

  it('describes the log as the original did: name, created_at, retention, bytes (plus the last run)', async () => {
    cw.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        {
          logGroupName: 'acme-space-xy-other',
          creationTime: 1,
          retentionInDays: 1,
          storedBytes: 1,
        },
        {
          logGroupName: 'acme-space-xy',
          creationTime: Date.parse('2020-02-27T16:22:09Z'),
          retentionInDays: 90,
          storedBytes: 4096,
        },
      ],
    });
    cw.on(GetLogEventsCommand).resolves({
      events: [{ timestamp: 1, message: JSON.stringify(record(3)) }],
      nextBackwardToken: 'x',
    });
    expect(await log().describe(key)).toEqual({
      type: 'cloudwatch',
      name: 'acme-space-xy',
      stream: 'job-1',
      created_at: '2020-02-27T16:22:09Z',
      retention: 90,
      bytes: 4096,
      runs: null,
      last_run: {
        status: 'succeeded',
        finished_at: record(3).finished_at,
        run_id: 'acct/space-xy/job-1@3',
      },
    });
  });

  describe('deletes', () => {
    it('keeps logs of deleted jobs by default', async () => {
      await log().jobDeleted(key);
      await log().groupDeleted('acct', 'space-xy', ['job-1']);
      expect(cw.calls()).toHaveLength(0);
    });

    it('with deleteLogs: deletes the stream; on group delete, the group too once it has no streams', async () => {
      cw.on(DescribeLogStreamsCommand).resolves({ logStreams: [] });
      await log(true).jobDeleted(key);
      expect(cw.commandCalls(DeleteLogStreamCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
        logStreamName: 'job-1',
      });
      await log(true).groupDeleted('acct', 'space-xy', ['job-1', 'job-2']);
      expect(cw.commandCalls(DeleteLogStreamCommand)).toHaveLength(3);
      expect(cw.commandCalls(DeleteLogGroupCommand)[0].args[0].input).toEqual({
        logGroupName: 'acme-space-xy',
      });
    });

    it('keeps a group another account still writes to', async () => {
      cw.on(DescribeLogStreamsCommand).resolves({
        logStreams: [{ logStreamName: 'other-account-job' }],
      });
      await log(true).groupDeleted('acct', 'space-xy', ['job-1']);
      expect(cw.commandCalls(DeleteLogGroupCommand)).toHaveLength(0);
    });

    it('a stream already gone is fine', async () => {
      cw.on(DeleteLogStreamCommand).rejects(awsError('ResourceNotFoundException'));
      await expect(log(true).jobDeleted(key)).resolves.toBeUndefined();
    });
  });
});

describe('fitEvent: a fleet record in one CloudWatch event', () => {
  const resource = (i: number, result: 'reached' | 'failed') => ({
    id: `i-${String(i).padStart(17, '0')}`,
    result,
    before: 'running',
    state: result === 'reached' ? 'stopped' : 'running',
    ms: 71_204,
    ...(result === 'failed' ? { detail: 'InsufficientInstanceCapacity: not enough capacity' } : {}),
  });

  it('leaves a record that fits as it is', () => {
    const r = { ...record(1), resources: [resource(1, 'reached')] };
    expect(fitEvent(r)).toBe(r);
  });

  it('keeps the failures first and as many others as fit, saying how many it left out', () => {
    const resources = Array.from({ length: 5000 }, (_, i) =>
      resource(i, i % 1000 === 7 ? 'failed' : 'reached'),
    );
    const fitted = fitEvent({ ...record(1), resources });
    const bytes = Buffer.byteLength(JSON.stringify(fitted), 'utf8');
    expect(bytes).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(bytes).toBeGreaterThan(MAX_EVENT_BYTES - 200);
    expect(fitted.resources?.slice(0, 5).every((r) => r.result === 'failed')).toBe(true);
    expect((fitted.resources?.length ?? 0) + (fitted.resources_omitted ?? 0)).toBe(5000);
    expect(fitted.resources_omitted).toBeGreaterThan(0);
  });
});
