import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { Logger } from '@nestjs/common';
import { rfc3339 } from '../common/clock';
import { JobDocument, Tag } from '../domain/job-document';
import { JobLog } from './job-log';
import { RunLogInfo, RunRecord } from '../domain/run-record';
import { JobKey } from '../domain/job-key';
import { cloudWatchReadFailure } from './cloudwatch-outbox';
import { CloudWatchRunSender, LogStream } from './cloudwatch-run-sender';
import { OutageSettings, withOutbox } from './outbox.mixin';

/**
 * Run history in CloudWatch Logs, as the original kept it: log group `<org>-<group>` (created with
 * the job's tags and a retention, 90 days by default), log stream `<job id>`, one event per run
 * attempt (the same JSON as the file log). Records are sent per stream in batches, retried on
 * throttling (`CloudWatchRunSender`). Logs of deleted jobs stay unless `deleteLogs` is set. A
 * batch CloudWatch still cannot take after its retries (throttled, down) goes to the outbox
 * (memory, then a spill file), with every record after it until the outbox has delivered all it
 * holds (`CloudWatchOutbox`).
 */
export class CloudWatchJobLog extends withOutbox(JobLog) {
  private readonly sender: CloudWatchRunSender;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly org: string,
    private readonly retentionDays: number,
    private readonly deleteLogs: boolean,
    retryDelayMs = 200,
    outage?: OutageSettings,
  ) {
    super();
    const outbox = this.openOutbox(
      'runs',
      // One try per delivery (the SDK's own retries inside): the outbox paces the next ones.
      (group, name, events) => this.sender.put({ group, name }, events, 1),
      outage,
    );
    this.sender = new CloudWatchRunSender(
      logs,
      outbox,
      (stream) => this.createMissing(stream),
      new Logger(CloudWatchJobLog.name),
      retryDelayMs,
    );
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
    const to = { group: this.groupName(key.group), name: this.streamName(key.id) };
    return this.sender.send(to, record);
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

  /**
   * What a put found missing (a job created by the original, a group deleted by hand): its log
   * group, with the retention, and the stream.
   */
  private async createMissing(stream: LogStream): Promise<void> {
    await this.createGroup(stream.group, {});
    await this.logs.send(
      new PutRetentionPolicyCommand({
        logGroupName: stream.group,
        retentionInDays: this.retentionDays,
      }),
    );
    await this.createStream(stream.group, stream.name);
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
