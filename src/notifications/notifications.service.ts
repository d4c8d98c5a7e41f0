import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { retrying, retryDelays } from '../common/backoff';
import { Clock } from '../common/clock';
import { settledWithin } from '../common/timeout';
import { MinionEvent } from './minion-event';
import { Delivery, NotificationChannel } from './notification-channel';

export interface NotificationOptions {
  org: string;
  replica: string;
  /** Retries after the first try (default 4). */
  retries: number;
  /** Deliveries waiting per channel at most; beyond it the oldest is dropped (default 1000). */
  bufferSize: number;
  /** First retry delay, doubling each time up to 30 s (default 1 s). */
  baseDelayMs: number;
  /** One HTTP request at most this long (default 10 s). */
  timeoutMs: number;
}

interface Lane {
  channel: NotificationChannel;
  pending: Delivery[];
  busy: boolean;
}

const MAX_DELAY_MS = 30_000;

/** Counts deliveries by channel and result (a metric, or nothing in a unit test). */
export interface DeliveryCounter {
  inc(labels: { channel: string; result: 'sent' | 'retried' | 'failed' | 'dropped' }): void;
}

/**
 * Delivers events to every configured channel without ever blocking or slowing a run: `notify`
 * only appends to a bounded in-memory buffer per channel (the oldest is dropped and counted when
 * it is full); each channel sends in order, one request at a time, retrying network errors, 429
 * and 5xx with backoff. Failures are logged by channel name and status, never with the URL.
 */
export class Notifications implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Notifications');
  private readonly lanes: Lane[];
  private idle: (() => void)[] = [];

  constructor(
    channels: NotificationChannel[],
    private readonly options: NotificationOptions,
    private readonly clock: Clock,
    private readonly counter: DeliveryCounter = { inc: () => undefined },
  ) {
    this.lanes = channels.map((channel) => ({ channel, pending: [], busy: false }));
  }

  get channels(): string[] {
    return this.lanes.map((l) => l.channel.name);
  }

  notify(event: MinionEvent): void {
    const at = this.clock.now();
    for (const lane of this.lanes) {
      let delivery: Delivery;
      try {
        delivery = lane.channel.delivery(event, { org: this.options.org, at });
      } catch (err) {
        // A channel that cannot even format the event fails alone, never the run that announced it.
        this.counter.inc({ channel: lane.channel.name, result: 'failed' });
        this.logger.warn(
          `${lane.channel.name} could not format ${event.type}: ${(err as Error).message}`,
        );
        continue;
      }
      lane.pending.push(delivery);
      if (lane.pending.length > this.options.bufferSize) {
        lane.pending.shift();
        this.counter.inc({ channel: lane.channel.name, result: 'dropped' });
      }
      if (!lane.busy) void this.drain(lane);
    }
  }

  onApplicationBootstrap(): void {
    this.notify({ type: 'startup', replica: this.options.replica, org: this.options.org });
  }

  /** Gives deliveries in flight a moment to finish on shutdown. */
  async onApplicationShutdown(): Promise<void> {
    await this.flush(5000);
  }

  /** Resolves when nothing is pending, or after `timeoutMs`. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.lanes.every((l) => !l.busy)) return;
    await settledWithin(new Promise<void>((r) => this.idle.push(r)), timeoutMs);
  }

  private async drain(lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      for (let next = lane.pending.shift(); next; next = lane.pending.shift()) {
        await this.deliver(lane.channel.name, next);
      }
    } finally {
      lane.busy = false;
      if (this.lanes.every((l) => !l.busy)) this.idle.splice(0).forEach((r) => r());
    }
  }

  private async deliver(channel: string, delivery: Delivery): Promise<void> {
    try {
      await retrying(() => this.send(delivery), {
        delays: retryDelays(this.options.retries, {
          baseMs: this.options.baseDelayMs,
          maxMs: MAX_DELAY_MS,
        }),
        retryable: (err) => (err as DeliveryError).retryable,
        onRetry: () => this.counter.inc({ channel, result: 'retried' }),
        unref: true,
      });
      this.counter.inc({ channel, result: 'sent' });
    } catch (err) {
      this.counter.inc({ channel, result: 'failed' });
      this.logger.warn(`${channel} delivery failed (${(err as Error).message}); giving up`);
    }
  }

  /** One request; throws a DeliveryError saying whether another try may help. */
  private async send(d: Delivery): Promise<void> {
    let response: number;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      response = res.status;
    } catch (err) {
      // The error's name only: undici's messages can carry the URL.
      throw new DeliveryError((err as Error).name || 'network error', true);
    }
    throw new DeliveryError(`HTTP ${response}`, response === 429 || response >= 500);
  }
}

/** A failed delivery; its message never holds the URL (which can carry a secret). */
class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
