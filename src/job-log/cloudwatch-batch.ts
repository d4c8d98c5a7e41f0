import { InputLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { FLEET_SUCCESS } from '../domain/fleet';
import { RunRecord } from '../domain/run-record';

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

/** One log event's message at most (CloudWatch takes 256 KiB less the event's overhead). */
export const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD_BYTES;

/**
 * A record as one event can carry it. Only a large fleet's `resources` can outgrow an event: the
 * resources that did not get where they should come first, then the others, as many as fit;
 * `resources_omitted` says how many were left out (the `fleet` counts stay whole).
 */
export function fitEvent(record: RunRecord, maxBytes = MAX_EVENT_BYTES): RunRecord {
  const resources = record.resources;
  if (!resources || Buffer.byteLength(JSON.stringify(record), 'utf8') <= maxBytes) return record;
  const ordered = [
    ...resources.filter((r) => !FLEET_SUCCESS.includes(r.result)),
    ...resources.filter((r) => FLEET_SUCCESS.includes(r.result)),
  ];
  const base = Buffer.byteLength(
    JSON.stringify({ ...record, resources: [], resources_omitted: resources.length }),
    'utf8',
  );
  let size = base;
  let kept = 0;
  while (kept < ordered.length) {
    const next = Buffer.byteLength(JSON.stringify(ordered[kept]), 'utf8') + 1;
    if (size + next > maxBytes) break;
    size += next;
    kept++;
  }
  return {
    ...record,
    resources: ordered.slice(0, kept),
    resources_omitted: resources.length - kept,
  };
}
