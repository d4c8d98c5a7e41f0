import {
  CloudWatchLogsClient,
  InputLogEvent,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { Logger } from '@nestjs/common';
import { retryDelays, retrying } from '../common/backoff';
import { RunRecord } from '../domain/run-record';
import { EVENT_OVERHEAD_BYTES, fitEvent, Pending, takeBatch } from './cloudwatch-batch';
import { CloudWatchOutbox, isOutage } from './cloudwatch-outbox';

const PUT_ATTEMPTS = 5;
const MAX_RETRY_DELAY_MS = 10_000;

/** A log stream, by its log group's name and its own. */
export interface LogStream {
  group: string;
  name: string;
}

interface Stream extends LogStream {
  pending: Pending[];
  sending: boolean;
}

/**
 * The sending half of the CloudWatch run log: run records go to their log stream in batches that
 * respect PutLogEvents' limits (10,000 events, 1 MiB, 24 h span), in time order, retried on
 * throttling. While a batch is in flight new records gather for the next one. A batch CloudWatch
 * still cannot take after its retries (throttled, down) goes to the outbox (memory, then a spill
 * file), with every record after it until the outbox has delivered all it holds
 * (`CloudWatchOutbox`).
 */
export class CloudWatchRunSender {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly logs: CloudWatchLogsClient,
    /** Where records wait while CloudWatch cannot take them; null: such records fail (counted). */
    private readonly outbox: CloudWatchOutbox | null,
    /** Creates a stream's log group (as the store sets one up) and the stream itself. */
    private readonly createStream: (stream: LogStream) => Promise<void>,
    private readonly log: Logger,
    private readonly retryDelayMs: number,
  ) {}

  /** Resolves when CloudWatch took the record, or the outbox holds it. */
  send(to: LogStream, record: RunRecord): Promise<void> {
    const id = `${to.group}\u0000${to.name}`;
    let stream = this.streams.get(id);
    if (!stream) {
      stream = { group: to.group, name: to.name, pending: [], sending: false };
      this.streams.set(id, stream);
    }
    const message = JSON.stringify(fitEvent(record));
    const timestamp = Date.parse(record.finished_at) || Date.now();
    if (this.outbox?.active) {
      // Behind the records already held, so none overtakes an older one.
      this.outbox.add([{ g: to.group, s: stream.name, t: timestamp, m: message }]);
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
  async put(stream: LogStream, events: InputLogEvent[], attempts = PUT_ATTEMPTS): Promise<void> {
    let created = false;
    const send = async () => {
      try {
        return await this.sendEvents(stream, events);
      } catch (err) {
        // A job created by the original (or a group deleted by hand): create, then send again.
        if ((err as Error).name !== 'ResourceNotFoundException' || created) throw err;
        created = true;
        await this.createStream(stream);
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

  private async sendEvents(stream: LogStream, events: InputLogEvent[]): Promise<void> {
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
}
