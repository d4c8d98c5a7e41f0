import { Allow, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsDuration } from '../common/validators/is-duration.validator';
import { NestedObject } from '../common/validators/nested.decorators';
import { parseDuration } from '../common/duration';

/** `eventReporters.slack`: the original's Slack incoming webhook reporter. */
export class SlackReporterOptions {
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s) URL' })
  endpoint: string;

  @IsOptional()
  @IsString()
  channel?: string;

  @IsOptional()
  @IsString()
  icon?: string;

  @IsOptional()
  @IsString()
  username?: string;
}

/** `eventReporters.webhook`: minion's generic JSON webhook, signed with HMAC-SHA256. */
export class WebhookReporterOptions {
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s) URL' })
  url: string;

  /** Key of the `X-Minion-Signature-256` header; without it, deliveries are not signed. */
  @IsOptional()
  @IsString()
  @Length(16, 1024)
  secret?: string;
}

/** `eventReporters`: a map from reporter kind to its settings, as in the original. */
export class EventReportersDefinition {
  @IsOptional()
  @NestedObject(() => SlackReporterOptions)
  slack?: SlackReporterOptions;

  @IsOptional()
  @NestedObject(() => WebhookReporterOptions)
  webhook?: WebhookReporterOptions;

  /** The original's e-mail reporter: not supported (a startup warning says so). */
  @IsOptional()
  @Allow()
  email?: unknown;

  /** Retries of one delivery after the first try (default 4). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  retries?: number;

  /** First pause before a retry, doubling up to 30s (default "1s"). */
  @IsOptional()
  @IsDuration()
  retryDelay?: string;

  /** Deliveries waiting at most; beyond it the oldest are dropped and counted (default 1000). */
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(100_000)
  bufferSize?: number;
}

/** `eventReporters`, resolved: the notifications' settings slice (DI token). */
export abstract class NotificationSettings {
  /** Named in every event, so one channel can serve several minions. */
  abstract readonly org: string;
  abstract readonly slack?: Readonly<SlackReporterOptions>;
  abstract readonly webhook?: Readonly<WebhookReporterOptions>;
  abstract readonly retries: number;
  abstract readonly retryDelayMs: number;
  abstract readonly bufferSize: number;
  abstract readonly timeoutMs: number;
}

export function notificationSettings(
  def: EventReportersDefinition = {},
  org: string,
): NotificationSettings {
  return {
    org,
    slack: def.slack,
    webhook: def.webhook,
    retries: def.retries ?? 4,
    retryDelayMs: (def.retryDelay && parseDuration(def.retryDelay)) || 1000,
    bufferSize: def.bufferSize ?? 1000,
    timeoutMs: 10_000,
  };
}
