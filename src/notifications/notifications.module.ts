import { Global, Logger, Module } from '@nestjs/common';
import { Clock } from '../common/clock';
import { REPLICA } from '../common/replica';
import { parseDuration } from '../config/duration';
import { MinionConfig } from '../config/minion-config';
import { NotificationChannel } from './notification-channel';
import { Notifications } from './notifications.service';
import { SlackChannel } from './slack.channel';
import { WebhookChannel } from './webhook.channel';

/** The channels of `eventReporters`, in one place. */
export function createNotifications(config: MinionConfig, clock: Clock): Notifications {
  const reporters = config.eventReporters;
  const channels: NotificationChannel[] = [];
  if (reporters?.slack) channels.push(new SlackChannel(reporters.slack));
  if (reporters?.webhook) channels.push(new WebhookChannel(reporters.webhook));
  if (channels.length > 0) {
    new Logger('Notifications').log(`alerts go to: ${channels.map((c) => c.name).join(', ')}`);
  }
  return new Notifications(
    channels,
    {
      org: config.org,
      replica: REPLICA,
      retries: reporters?.retries ?? 4,
      bufferSize: reporters?.bufferSize ?? 1000,
      baseDelayMs: (reporters?.retryDelay && parseDuration(reporters.retryDelay)) || 1000,
      timeoutMs: 10_000,
    },
    clock,
  );
}

@Global()
@Module({
  providers: [
    { provide: Notifications, useFactory: createNotifications, inject: [MinionConfig, Clock] },
  ],
  exports: [Notifications],
})
export class NotificationsModule {}
