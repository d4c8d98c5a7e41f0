import { Logger, Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Clock } from '../common/clock';
import { REPLICA } from '../common/replica';
import { NotificationSettings } from './notifications.config';
import { NotificationChannel } from './notification-channel';
import { Notifications } from './notifications.service';
import { SlackChannel } from './slack.channel';
import { WebhookChannel } from './webhook.channel';

/** The channels of `eventReporters`, in one place. */
export function createNotifications(
  n: NotificationSettings,
  clock: Clock,
  metrics: MetricsRegistry,
): Notifications {
  const channels: NotificationChannel[] = [];
  if (n.slack) channels.push(new SlackChannel(n.slack));
  if (n.webhook) channels.push(new WebhookChannel(n.webhook));
  if (channels.length > 0) {
    new Logger('Notifications').log(`alerts go to: ${channels.map((c) => c.name).join(', ')}`);
  }
  return new Notifications(
    channels,
    {
      org: n.org,
      replica: REPLICA,
      retries: n.retries,
      bufferSize: n.bufferSize,
      baseDelayMs: n.retryDelayMs,
      timeoutMs: n.timeoutMs,
    },
    clock,
    metrics.counter({
      name: 'minion_notifications_total',
      help: 'Notification deliveries by channel and result: sent, retried, failed (gave up), dropped (buffer full)',
      labelNames: ['channel', 'result'],
    }),
  );
}

@Module({
  imports: [MetricsModule],
  providers: [
    {
      provide: Notifications,
      useFactory: createNotifications,
      inject: [NotificationSettings, Clock, MetricsRegistry],
    },
  ],
  exports: [Notifications],
})
export class NotificationsModule {}
