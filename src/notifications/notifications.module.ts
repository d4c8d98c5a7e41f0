import { Logger, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { REPLICA } from '../common/replica';
import { MinionSettings } from '../config/settings';
import { NotificationChannel } from './notification-channel';
import { Notifications } from './notifications.service';
import { SlackChannel } from './slack.channel';
import { WebhookChannel } from './webhook.channel';

/** The channels of `eventReporters`, in one place. */
export function createNotifications(settings: MinionSettings, clock: Clock): Notifications {
  const n = settings.notifications;
  const channels: NotificationChannel[] = [];
  if (n.slack) channels.push(new SlackChannel(n.slack));
  if (n.webhook) channels.push(new WebhookChannel(n.webhook));
  if (channels.length > 0) {
    new Logger('Notifications').log(`alerts go to: ${channels.map((c) => c.name).join(', ')}`);
  }
  return new Notifications(
    channels,
    {
      org: settings.org,
      replica: REPLICA,
      retries: n.retries,
      bufferSize: n.bufferSize,
      baseDelayMs: n.retryDelayMs,
      timeoutMs: n.timeoutMs,
    },
    clock,
  );
}

@Module({
  providers: [
    { provide: Notifications, useFactory: createNotifications, inject: [MinionSettings, Clock] },
  ],
  exports: [Notifications],
})
export class NotificationsModule {}
