import { createHmac, randomUUID } from 'node:crypto';
import { WebhookReporterOptions } from './notifications.config';
import { eventText, MinionEvent } from './minion-event';
import { Delivery, NotificationChannel } from './notification-channel';

export const SIGNATURE_HEADER = 'X-Minion-Signature-256';

/**
 * A generic JSON webhook: the event's fields plus `org`, `timestamp` and a `text` summary. With a
 * `secret`, `X-Minion-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` lets the receiver
 * check the sender; `timestamp` in the signed body lets it refuse replays.
 */
export class WebhookChannel extends NotificationChannel {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookReporterOptions) {
    super();
  }

  delivery(event: MinionEvent, context: { org: string; at: Date }): Delivery {
    const id = randomUUID();
    const body = JSON.stringify({
      id,
      ...event,
      org: context.org,
      timestamp: context.at.toISOString(),
      text: eventText(event),
    });
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Minion-Event': event.type,
      'X-Minion-Delivery': id,
    };
    if (this.options.secret) {
      const mac = createHmac('sha256', this.options.secret).update(body).digest('hex');
      headers[SIGNATURE_HEADER] = `sha256=${mac}`;
    }
    return { url: this.options.url, headers, body };
  }
}
