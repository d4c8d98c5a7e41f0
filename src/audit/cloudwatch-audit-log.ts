import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  FilteredLogEvent,
  InputLogEvent,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { AuditEntry, NewAuditEntry } from './audit-entry';
import { AuditLog, AuditPage } from './audit-log';
import { JobKey } from '../domain/job-key';
import { cloudWatchReadFailure, isOutage } from '../job-log/cloudwatch-outbox';
import { OutageSettings, withOutbox } from '../job-log/outbox.mixin';

/** Entries of one job read at most, to answer its history (pages of FilterLogEvents). */
const MAX_HISTORY_SCAN = 10_000;

/**
 * The audit trail in CloudWatch Logs, in its own log group `<org>-audit` with one stream per
 * account (created on first use, with the run log's retention). Each entry is one JSON event;
 * reads use FilterLogEvents (`since` as its start time, a job's history as a JSON filter
 * pattern), so `entry_id` is CloudWatch's event id and `start_after` its next token. An entry
 * CloudWatch cannot take now (throttled, down) waits in an outbox (memory, then a spill file) and
 * is delivered when it answers again: the change it describes was made, its entry is not lost.
 * Until then it is missing from the history and the listings.
 */
export class CloudWatchAuditLog extends withOutbox(AuditLog) {
  readonly group: string;

  constructor(
    private readonly logs: CloudWatchLogsClient,
    org: string,
    private readonly retentionDays: number,
    outage?: OutageSettings,
  ) {
    super();
    this.group = `${org}-audit`.replace(/[^A-Za-z0-9._\-/#]/g, '_').slice(0, 512);
    this.openOutbox('audit', (_group, stream, events) => this.put(stream, events), outage);
  }

  async record(entry: NewAuditEntry): Promise<void> {
    const stream = streamName(entry.account);
    const event = { timestamp: Date.parse(entry.at), message: JSON.stringify(entry) };
    const held = { g: this.group, s: stream, t: event.timestamp, m: event.message };
    // Behind the entries already held, so none overtakes an older one.
    if (this.outbox?.active) return this.outbox.add([held]);
    try {
      await this.put(stream, [event]);
    } catch (err) {
      if (!this.outbox || !isOutage(err)) throw err;
      this.outbox.add([held]);
    }
  }

  private async put(stream: string, logEvents: InputLogEvent[]): Promise<void> {
    const send = () =>
      this.logs.send(
        new PutLogEventsCommand({ logGroupName: this.group, logStreamName: stream, logEvents }),
      );
    try {
      await send();
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      await this.create(stream);
      await send();
    }
  }

  async history(key: JobKey, limit: number): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.filter(key.account, {
        filterPattern: `{ ($.group = ${JSON.stringify(key.group)}) && ($.id = ${JSON.stringify(key.id)}) }`,
        nextToken,
      });
      found.push(...page.entries);
      nextToken = page.next;
    } while (nextToken && found.length < MAX_HISTORY_SCAN);
    return found.slice(-limit).reverse();
  }

  async list(
    account: string,
    query: { since?: Date; limit: number; startAfter?: string },
  ): Promise<AuditPage> {
    return this.filter(account, {
      startTime: query.since?.getTime(),
      limit: query.limit,
      nextToken: query.startAfter,
    });
  }

  private async filter(
    account: string,
    q: { filterPattern?: string; startTime?: number; limit?: number; nextToken?: string },
  ): Promise<AuditPage> {
    try {
      const res = await this.logs.send(
        new FilterLogEventsCommand({
          logGroupName: this.group,
          logStreamNames: [streamName(account)],
          ...q,
        }),
      );
      return { entries: (res.events ?? []).map(entryOf), next: res.nextToken };
    } catch (err) {
      // Nothing was ever audited for this org or account.
      if ((err as Error).name === 'ResourceNotFoundException') return { entries: [] };
      throw cloudWatchReadFailure(err, 'read the audit trail');
    }
  }

  private async create(stream: string): Promise<void> {
    try {
      await this.logs.send(new CreateLogGroupCommand({ logGroupName: this.group }));
      await this.logs.send(
        new PutRetentionPolicyCommand({
          logGroupName: this.group,
          retentionInDays: this.retentionDays,
        }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ResourceAlreadyExistsException') throw err;
    }
    try {
      await this.logs.send(
        new CreateLogStreamCommand({ logGroupName: this.group, logStreamName: stream }),
      );
    } catch (err) {
      if ((err as Error).name !== 'ResourceAlreadyExistsException') throw err;
    }
  }
}

function streamName(account: string): string {
  return account.replace(/[:*]/g, '_').slice(0, 512);
}

function entryOf(e: FilteredLogEvent): AuditEntry {
  return { entry_id: e.eventId ?? '', ...(JSON.parse(e.message ?? '{}') as NewAuditEntry) };
}
