import { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';

/** PutLogEvents limits. */
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000 - 1;

/** A record waiting to be sent, and who waits for it. */
export interface Pending {
  event: InputLogEvent;
  bytes: number;
  done: (err?: Error) => void;
}

/**
 * Takes the next batch off `pending`, oldest events first, within PutLogEvents' limits: at most
 * 10,000 events, 1 MiB (message bytes plus 26 per event) and a 24-hour span.
 */
export function takeBatch(pending: Pending[]): Pending[] {
  pending.sort((a, b) => (a.event.timestamp ?? 0) - (b.event.timestamp ?? 0));
  const first = pending[0].event.timestamp ?? 0;
  let bytes = 0;
  let n = 0;
  while (n < pending.length && n < MAX_BATCH_EVENTS) {
    const p = pending[n];
    if (
      n > 0 &&
      (bytes + p.bytes > MAX_BATCH_BYTES || (p.event.timestamp ?? 0) - first > MAX_BATCH_SPAN_MS)
    )
      break;
    bytes += p.bytes;
    n++;
  }
  return pending.splice(0, n);
}
