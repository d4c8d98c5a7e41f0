import { SlackReporterOptions } from './notifications.config';
import { eventText, MinionEvent } from './minion-event';
import { Delivery, NotificationChannel } from './notification-channel';

/**
 * The original's Slack reporter: an incoming webhook, posted `{text, channel, link_names,
 * username, icon_emoji}` with its defaults (#general, SlackReporter, :speak_no_evil:).
 */
export class SlackChannel extends NotificationChannel {
  readonly name = 'slack';

  constructor(private readonly options: SlackReporterOptions) {
    super();
  }

  delivery(event: MinionEvent): Delivery {
    return {
      url: this.options.endpoint,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: eventText(event),
        channel: this.options.channel ?? '#general',
        link_names: 1,
        username: this.options.username ?? 'SlackReporter',
        icon_emoji: this.options.icon ?? ':speak_no_evil:',
      }),
    };
  }
}
