import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  InputLogEvent,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { Logger } from '@nestjs/common';
import { retryDelays, retrying } from '../common/backoff';
import { rfc3339 } from '../common/clock';
import { JobDocument, Tag } from '../domain/job-document';
import { EVENT_OVERHEAD_BYTES, fitEvent, Pending, takeBatch } from './cloudwatch-batch';
import { HeldRecords, JobLog } from './job-log';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { JobKey } from '../domain/job-key';
import {
  cloudWatchReadFailure,
  CloudWatchOutbox,
  isOutage,
  OutboxLimits,
  Schedule,
} from './cloudwatch-outbox';

const PUT_ATTEMPTS = 5;
const MAX_RETRY_DELAY_MS = 10_000;

interface Stream {
  group: string;
  name: string;
  pending: Pending[];
  sending: boolean;
}

/**
 * Run history in CloudWatch Logs, as the original kept it: log group `<org>-<group>` (created with
 * the job's tags and a retention, 90 days by default), log stream `<job id>`, one event per run
 * attempt (the same JSON as the file log). Events are sent per stream in batches that respect
 * PutLogEvents' limits (10,000 events, 1 MiB, 24 h span), in time order, retried on throttling.
 * While a batch is in flight new records gather for the next one. Logs of deleted jobs stay
 * unless `deleteLogs` is set. A batch CloudWatch still cannot take after its retries (throttled,
 * down) goes to the outbox (memory, then a spill file), with every record after it until the
 * outbox has delivered all it holds (`CloudWatchOutbox`).
 */
export class CloudWatchJobLog extends JobLog {
  private readonly log = new Logger(CloudWatchJobLog.name);
  private readonly streams = new Map<string, Stream>();
  /** Where records wait while CloudWatch cannot take them; none: such records fail (counted). */
  readonly outbox: CloudWatchOutbox | null;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly org: string,
    private readonly retentionDays: number,
    private readonly deleteLogs: boolean,
    private readonly retryDelayMs = 200,
    outage?: { limits: OutboxLimits; schedule?: Schedule },
  ) {
    super();
    this.outbox = outage
      ? new CloudWatchOutbox(
          'runs',
          // One try per delivery (the SDK's own retries inside): the outbox paces the next ones.
          (group, name, events) => this.put({ group, name }, events, 1),
          outage.limits,
          outage.schedule,
        )
      : null;
  }

  /** Delivers what a previous run left in the spill file. */
  onModuleInit(): void {
    this.outbox?.start();
  }

  /** After the scheduler flushed the run records: what CloudWatch has not taken goes to disk. */
  async onApplicationShutdown(): Promise<void> {
    await this.outbox?.close();
  }

  override get heldRecords(): HeldRecords | null {
    return this.outbox;
  }

  /**
   * `<org>-<group>`, as the original named it; characters CloudWatch does not take in a log group
   * name (group names may hold any character but "/") become "_".
   */
  groupName(group: string): string {
    return `${this.org}-${group}`.replace(/[^A-Za-z0-9._\-/#]/g, '_').slice(0, 512);
  }

  /** The job id; ":" and "*", which a log stream name cannot hold, become "_". */
  streamName(id: string): string {
    return id.replace(/[:*]/g, '_').slice(0, 512);
  }

  async jobSaved(doc: JobDocument): Promise<void> {
    const group = this.groupName(doc.group);
    const tags = Object.fromEntries((doc.tags ?? []).map((t) => [t.key, t.value]));
    const created = await this.createGroup(group, tags);
    if (!created && Object.keys(tags).length > 0) {
      await this.logs.send(new TagLogGroupCommand({ logGroupName: group, tags }));
    }
    await this.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: this.retentionDays }),
    );
    await this.createStream(group, this.streamName(doc.id));
  }

  protected write(key: JobKey, record: RunRecord): Promise<void> {
    const group = this.groupName(key.group);
    const id = `${group}\u0000${this.streamName(key.id)}`;
    let stream = this.streams.get(id);
    if (!stream) {
      stream = { group, name: this.streamName(key.id), pending: [], sending: false };
      this.streams.set(id, stream);
    }
    const message = JSON.stringify(fitEvent(record));
    const timestamp = Date.parse(record.finished_at) || Date.now();
    if (this.outbox?.active) {
      // Behind the records already held, so none overtakes an older one.
      this.outbox.add([{ g: group, s: stream.name, t: timestamp, m: message }]);
      if (stream.pending.length === 0 && !stream.sending) this.streams.delete(id);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      stream.pending.push({
        event: { timestamp, message },
        bytes: Buffer.byteLength(message, 'utf8') + EVENT_OVERHEAD_BYTES,
        done: (err) => (err ? reject(err) : resolve()),
      });
      if (!stream.sending) void this.drain(id, stream);
    });
  }

  async list(key: JobKey, limit: number): Promise<RunRecord[]> {
    const records: RunRecord[] = [];
    let token: string | undefined;
    try {
      while (records.length < limit) {
        const res = await this.logs.send(
          new GetLogEventsCommand({
            logGroupName: this.groupName(key.group),
            logStreamName: this.streamName(key.id),
            startFromHead: false,
            limit: Math.min(limit - records.length, 10_000),
            nextToken: token,
          }),
        );
        const events = res.events ?? [];
        for (const e of [...events].reverse()) {
          const record = parse(e.message);
          if (record) records.push(record);
        }
        // GetLogEvents pages backwards; the same token back means there is nothing older.
        if (events.length === 0 || !res.nextBackwardToken || res.nextBackwardToken === token) break;
        token = res.nextBackwardToken;
      }
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return [];
      throw cloudWatchReadFailure(err, 'read the run history');
    }
    return records.slice(0, limit);
  }

  async describe(key: JobKey): Promise<RunLogInfo | null> {
    const name = this.groupName(key.group);
    const res = await this.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 10 }),
    );
    const group = res.logGroups?.find((g) => g.logGroupName === name);
    if (!group) return null;
    const [last] = await this.list(key, 1);
    return {
      type: 'cloudwatch',
      name,
      stream: this.streamName(key.id),
      created_at: group.creationTime ? rfc3339(new Date(group.creationTime)) : null,
      retention: group.retentionInDays ?? null,
      bytes: group.storedBytes ?? 0,
      runs: null,
      last_run: last
        ? { status: last.status, finished_at: last.finished_at, run_id: last.run_id }
        : null,
    };
  }

  /** The log group's tags, where the original kept a job's tags (ListTagsLogGroup). */
  override async tags(key: JobKey): Promise<Tag[] | null> {
    const res = await this.ignoreMissing(
      this.logs.send(new ListTagsLogGroupCommand({ logGroupName: this.groupName(key.group) })),
    );
    return Object.entries(res?.tags ?? {})
      .map(([k, value]) => ({ key: k, value }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async jobDeleted(key: JobKey): Promise<void> {
    if (!this.deleteLogs) return;
    await this.ignoreMissing(
      this.logs.send(
        new DeleteLogStreamCommand({
          logGroupName: this.groupName(key.group),
          logStreamName: this.streamName(key.id),
        }),
      ),
    );
  }

  /** With deleteLogs: the jobs' streams, then the log group if nothing else writes to it. */
  override async groupDeleted(account: string, group: string, ids: string[]): Promise<void> {
    if (!this.deleteLogs) return;
    await super.groupDeleted(account, group, ids);
    const name = this.groupName(group);
    // The group is shared by every account using this group name: keep it while it has streams.
    const res = await this.ignoreMissing(
      this.logs.send(new DescribeLogStreamsCommand({ logGroupName: name, limit: 1 })),
    );
    if (res && (res.logStreams ?? []).length === 0) {
      await this.ignoreMissing(this.logs.send(new DeleteLogGroupCommand({ logGroupName: name })));
    }
  }

  private async drain(id: string, stream: Stream): Promise<void> {
    stream.sending = true;
    try {
      while (stream.pending.length > 0) {
        // CloudWatch is known to be out (another stream found it): straight behind what is held.
        if (this.outbox?.active) {
          this.hold(stream, stream.pending.splice(0));
          break;
        }
        const batch = takeBatch(stream.pending);
        try {
          await this.put(
            stream,
            batch.map((p) => p.event),
          );
          batch.forEach((p) => p.done());
        } catch (err) {
          // This batch and everything after it in the stream wait in the outbox, in order.
          if (this.outbox && isOutage(err))
            this.hold(stream, [...batch, ...stream.pending.splice(0)]);
          else batch.forEach((p) => p.done(err as Error));
        }
      }
    } finally {
      stream.sending = false;
      if (stream.pending.length === 0) this.streams.delete(id);
    }
  }

  private hold(stream: Stream, held: Pending[]): void {
    this.outbox?.add(
      held.map((p) => ({
        g: stream.group,
        s: stream.name,
        t: p.event.timestamp ?? 0,
        m: p.event.message ?? '',
      })),
    );
    held.forEach((p) => p.done());
  }

  /**
   * PutLogEvents, retried on throttling and transient errors (no more once the outbox holds
   * records: the batch joins them rather than add its retries to an outage); creates a missing
   * group or stream once.
   */
  private async put(
    stream: Pick<Stream, 'group' | 'name'>,
    events: InputLogEvent[],
    attempts = PUT_ATTEMPTS,
  ): Promise<void> {
    let created = false;
    const send = async () => {
      try {
        return await this.sendEvents(stream, events);
      } catch (err) {
        // A job created by the original (or a group deleted by hand): create, then send again.
        if ((err as Error).name !== 'ResourceNotFoundException' || created) throw err;
        created = true;
        await this.createGroup(stream.group, {});
        await this.logs.send(
          new PutRetentionPolicyCommand({
            logGroupName: stream.group,
            retentionInDays: this.retentionDays,
          }),
        );
        await this.createStream(stream.group, stream.name);
        return this.sendEvents(stream, events);
      }
    };
    await retrying(send, {
      delays: retryDelays(attempts - 1, {
        baseMs: this.retryDelayMs,
        maxMs: MAX_RETRY_DELAY_MS,
      }),
      retryable: (err) => {
        const e = err as Error;
        if (this.outbox?.active && isOutage(e)) return false;
        return (
          isThrottlingError(e as never) ||
          isTransientError(e as never) ||
          e.name === 'ServiceUnavailableException'
        );
      },
    });
  }

  private async sendEvents(
    stream: Pick<Stream, 'group' | 'name'>,
    events: InputLogEvent[],
  ): Promise<void> {
    const res = await this.logs.send(
      new PutLogEventsCommand({
        logGroupName: stream.group,
        logStreamName: stream.name,
        logEvents: events,
      }),
    );
    const rejected = res.rejectedLogEventsInfo;
    if (rejected)
      this.log.warn(
        `CloudWatch rejected some run records of ${stream.group}/${stream.name}: ${JSON.stringify(rejected)}`,
      );
  }

  /** True when the group was created now; false when it existed. */
  private async createGroup(name: string, tags: Record<string, string>): Promise<boolean> {
    try {
      await this.logs.send(
        new CreateLogGroupCommand({
          logGroupName: name,
          ...(Object.keys(tags).length ? { tags } : {}),
        }),
      );
      return true;
    } catch (err) {
      if ((err as Error).name === 'ResourceAlreadyExistsException') return false;
      throw err;
    }
  }

  private async createStream(group: string, name: string): Promise<void> {
    try {
      await this.logs.send(
        new CreateLogStreamCommand({ logGroupName: group, logStreamName: name }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ResourceAlreadyExistsException') throw err;
    }
  }

  private async ignoreMissing<T>(promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  }
}

function parse(message: string | undefined): RunRecord | null {
  try {
    return message ? (JSON.parse(message) as RunRecord) : null;
  } catch {
    return null;
  }
}
