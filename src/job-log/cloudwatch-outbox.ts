import { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { Logger } from '@nestjs/common';
import { mapWithConcurrency } from '../common/concurrency';
import { ServiceUnavailableError } from '../common/errors';
import { EVENT_OVERHEAD_BYTES, Pending, takeBatch } from './cloudwatch-batch';
import { SpillFile, SpillRecord } from './spill-file';

/** Sends one stream's events (in time order, within PutLogEvents' limits); throws as the SDK does. */
export type DeliverEvents = (
  group: string,
  stream: string,
  events: InputLogEvent[],
) => Promise<void>;

/** Runs `task` after `ms`; returns how to cancel it. Injected so tests drive the retries. */
export type Schedule = (task: () => void, ms: number) => () => void;

export const realSchedule: Schedule = (task, ms) => {
  const timer = setTimeout(task, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** How much an outage may hold, and how often delivery is tried again. */
export interface OutboxLimits {
  /** Records held in memory before the next ones go to the spill file. */
  readonly bufferRecords: number;
  /** The spill file (JSON lines). */
  readonly spillFile: string;
  /** The spill file never grows past this; records beyond are dropped and counted. */
  readonly spillMaxBytes: number;
  /** First pause before delivery is tried again, doubling after each failed try... */
  readonly retryMs: number;
  /** ...up to this. */
  readonly maxRetryMs: number;
}

/** Records taken from the head for one delivery round (a stream's records in it go in one call). */
const CHUNK_RECORDS = 10_000;
/** Streams sent at once during a round, each its own PutLogEvents (the client has 50 sockets). */
const DELIVERY_CONCURRENCY = 32;
const DROP_LOG_INTERVAL_MS = 5000;

/**
 * CloudWatch cannot take records now (throttling, 5xx, connection refused or cut, timeout): keep
 * them. Anything else (access denied, a bad parameter) will not get better by waiting.
 */
export function isOutage(err: unknown): boolean {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  if (!e) return false;
  if (isThrottlingError(e as never) || isTransientError(e as never)) return true;
  if (e.name === 'ServiceUnavailableException' || e.name === 'AbortError') return true;
  const status = e.$metadata?.httpStatusCode;
  // No HTTP status at all: the request never got an answer (network).
  return status === undefined || status >= 500;
}

/**
 * A read of CloudWatch during an outage: 503 with a retry hint naming the cause (never a 500),
 * any other error as it is.
 */
export function cloudWatchReadFailure(err: unknown, action: string): unknown {
  if (!isOutage(err)) return err;
  return new ServiceUnavailableError(
    `${action}: CloudWatch Logs cannot be reached (${(err as Error)?.name ?? 'error'}); retry later`,
    5,
  );
}

/**
 * Where CloudWatch records go while CloudWatch cannot take them, in order: a bounded memory
 * buffer (`bufferRecords`), then a spill file under the data directory (fsync'd, `spillMaxBytes`
 * at most), delivered oldest first as soon as CloudWatch answers again, retried with a doubling
 * pause. While it holds anything, new records queue behind (`active`), so none overtakes an
 * older one. A shutdown writes what memory holds to the spill file (before the rest), and the
 * next start delivers the file. Delivered records are marked in the spill's progress file as each
 * PutLogEvents succeeds: only a crash between CloudWatch's answer and that write sends a batch
 * twice.
 */
export class CloudWatchOutbox {
  private readonly logger: Logger;
  private memory: SpillRecord[] = [];
  /** Records bound for the spill file, written (one write, one fsync) at the end of this turn. */
  private toSpill: SpillRecord[] = [];
  private spillQueued = false;
  private readonly spill: SpillFile;
  private delivering: Promise<boolean> | null = null;
  private cancelRetry: (() => void) | null = null;
  private delayMs: number;
  private closed = false;
  private lastDropLog = 0;
  /** Since start: records put aside (memory or disk), delivered later, dropped (beyond the bound or refused). */
  readonly totals = { held: 0, spilled: 0, delivered: 0, dropped: 0 };

  constructor(
    readonly name: string,
    private readonly deliver: DeliverEvents,
    private readonly limits: OutboxLimits,
    private readonly schedule: Schedule = realSchedule,
  ) {
    this.logger = new Logger(`CloudWatchOutbox(${name})`);
    this.spill = new SpillFile(limits.spillFile, limits.spillMaxBytes);
    this.delayMs = limits.retryMs;
  }

  /** Opens the spill file; what a previous run left there is delivered now. */
  start(): void {
    try {
      this.spill.open();
    } catch (err) {
      // Never a reason not to start: run on memory alone (beyond it, records are dropped, counted).
      this.logger.error(
        `cannot open the spill file ${this.limits.spillFile} (${(err as Error).message}): ` +
          `while CloudWatch is down, records beyond the ${this.limits.bufferRecords} held in memory are dropped`,
      );
      return;
    }
    if (this.spill.records > 0) {
      this.logger.log(
        `${this.spill.records} record(s) left in ${this.limits.spillFile} by a previous run: delivering them`,
      );
      this.retryIn(0);
    }
  }

  /** Records are held: new ones must queue behind them. */
  get active(): boolean {
    return this.memory.length > 0 || this.diskPending;
  }

  /** The spill file holds records, or is about to: later records go after them. */
  private get diskPending(): boolean {
    return this.spill.pending || this.toSpill.length > 0;
  }

  /** Records held in memory now. */
  get buffered(): number {
    return this.memory.length;
  }

  /** Records in the spill file not delivered yet. */
  get spilled(): number {
    return this.spill.records + this.toSpill.length;
  }

  /** Holds records (oldest first) for delivery later; never throws. */
  add(records: SpillRecord[]): void {
    if (records.length === 0) return;
    this.totals.held += records.length;
    let i = 0;
    if (!this.diskPending) {
      const room = Math.max(0, this.limits.bufferRecords - this.memory.length);
      this.memory.push(...records.slice(0, room));
      i = Math.min(room, records.length);
    }
    if (i < records.length) {
      // Group commit: the records of a burst (all ending in one turn of the event loop) cost one
      // write and one fsync, not one each, which would hold the event loop for seconds.
      this.toSpill.push(...records.slice(i));
      if (!this.spillQueued) {
        this.spillQueued = true;
        setImmediate(() => this.writeSpill());
      }
    }
    if (!this.cancelRetry && !this.delivering) this.retryIn(this.delayMs);
  }

  /** Appends (and fsyncs) what waits for the spill file; beyond its bound, dropped. */
  private writeSpill(): void {
    this.spillQueued = false;
    const batch = this.toSpill;
    if (batch.length === 0) return;
    this.toSpill = [];
    let written = 0;
    try {
      written = this.spill.append(batch);
    } catch (err) {
      this.logger.error(`cannot write ${this.limits.spillFile}: ${(err as Error).message}`);
    }
    this.totals.spilled += written;
    if (written < batch.length) this.dropped(batch.length - written, 'the spill file is full');
  }

  /**
   * One delivery attempt of everything held, oldest first; resolves true when all of it is
   * delivered, false when CloudWatch still cannot take records (tried again later).
   */
  deliverNow(): Promise<boolean> {
    this.cancelRetry?.();
    this.cancelRetry = null;
    this.delivering ??= this.pass().then(
      (done) => {
        this.delivering = null;
        this.afterPass(done);
        return done;
      },
      (err: Error) => {
        // The spill file could not be read or marked: try again later rather than stop.
        this.delivering = null;
        this.logger.error(`delivery failed: ${err.message}`);
        this.afterPass(false);
        return false;
      },
    );
    return this.delivering;
  }

  /** Schedules the next try: at once when records came in meanwhile, later (doubling) after a failure. */
  private afterPass(done: boolean): void {
    if (this.closed) return;
    let delay = 0;
    if (done) this.delayMs = this.limits.retryMs;
    else {
      delay = this.delayMs;
      this.delayMs = Math.min(this.delayMs * 2, this.limits.maxRetryMs);
    }
    if (this.active && !this.cancelRetry) this.retryIn(delay);
  }

  /** Shutdown: stops retrying and writes what memory holds to the spill file, ahead of it. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelRetry?.();
    this.cancelRetry = null;
    await this.delivering;
    this.writeSpill();
    if (this.memory.length > 0) {
      try {
        this.spill.prepend(this.memory);
        this.logger.warn(
          `${this.memory.length} record(s) CloudWatch did not take yet written to ${this.limits.spillFile}; ` +
            'the next start delivers them',
        );
        this.totals.spilled += this.memory.length;
      } catch (err) {
        this.dropped(this.memory.length, `cannot write the spill file: ${(err as Error).message}`);
      }
      this.memory = [];
    }
    this.spill.close();
  }

  private retryIn(ms: number): void {
    if (this.closed) return;
    this.cancelRetry?.();
    this.cancelRetry = this.schedule(() => {
      this.cancelRetry = null;
      void this.deliverNow();
    }, ms);
  }

  private async pass(): Promise<boolean> {
    while (!this.closed) {
      if (this.memory.length > 0) {
        const chunk = this.memory.slice(0, CHUNK_RECORDS);
        const { done, outage } = await this.send(chunk.map((record, index) => ({ index, record })));
        // Only appends happen meanwhile: what is past the chunk stays as it is.
        this.memory = [...chunk.filter((_, i) => !done.has(i)), ...this.memory.slice(chunk.length)];
        if (outage) return false;
        continue;
      }
      this.writeSpill();
      if (!this.spill.pending) return true;
      const chunk = this.spill.readChunk(CHUNK_RECORDS);
      if (chunk.unreadable > 0) this.dropped(chunk.unreadable, 'unreadable line in the spill file');
      const { done, outage } = await this.send(chunk.records, (indexes) =>
        this.spill.markSent(indexes),
      );
      this.spill.saveProgressNow();
      if (outage) return false;
      this.spill.advance(chunk.end, chunk.records.length - done.size + chunk.unreadable);
    }
    return false;
  }

  /**
   * Sends `items` grouped by stream (in time order within each), a few streams at once. Returns
   * the indexes delivered or given up (refused for good), and whether CloudWatch is still out.
   */
  private async send(
    items: { index: number; record: SpillRecord }[],
    sent?: (indexes: number[]) => void,
  ): Promise<{ done: Set<number>; outage: boolean }> {
    const streams = new Map<string, { index: number; record: SpillRecord }[]>();
    for (const item of items) {
      const key = `${item.record.g}\u0000${item.record.s}`;
      const list = streams.get(key) ?? [];
      list.push(item);
      streams.set(key, list);
    }
    const done = new Set<number>();
    let outage = false;
    await mapWithConcurrency([...streams.values()], DELIVERY_CONCURRENCY, async (list) => {
      const pending: (Pending & { index: number })[] = list.map(({ index, record }) => ({
        index,
        event: { timestamp: record.t, message: record.m },
        bytes: Buffer.byteLength(record.m, 'utf8') + EVENT_OVERHEAD_BYTES,
        done: () => undefined,
      }));
      const { g, s } = list[0].record;
      while (pending.length > 0 && !outage) {
        const batch = takeBatch(pending) as (Pending & { index: number })[];
        const indexes = batch.map((p) => p.index);
        try {
          await this.deliver(
            g,
            s,
            batch.map((p) => p.event),
          );
          this.totals.delivered += batch.length;
        } catch (err) {
          if (isOutage(err)) {
            outage = true;
            return;
          }
          this.dropped(batch.length, `CloudWatch refused them: ${(err as Error).message}`);
        }
        indexes.forEach((i) => done.add(i));
        sent?.(indexes);
      }
    });
    return { done, outage };
  }

  private dropped(count: number, reason: string): void {
    this.totals.dropped += count;
    const now = Date.now();
    if (now - this.lastDropLog < DROP_LOG_INTERVAL_MS) return;
    this.lastDropLog = now;
    this.logger.error(`${count} record(s) dropped: ${reason}`);
  }
}
