import { MinionEvent } from './minion-event';

/** One HTTP delivery: where, what, and with which headers. */
export interface Delivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Port for a place alerts go: it turns an event into an HTTP request. Implementations: Slack
 * (the original's `eventReporters.slack`) and a signed JSON webhook. `Notifications` delivers
 * them; a channel never sends anything itself, and its URL never reaches a log.
 */
export abstract class NotificationChannel {
  /** For logs and metrics: `slack`, `webhook`. */
  abstract readonly name: string;

  abstract delivery(event: MinionEvent, context: { org: string; at: Date }): Delivery;
}
