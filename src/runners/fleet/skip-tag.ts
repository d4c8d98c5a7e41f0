/**
 * The per-resource override: a resource carrying the skip tag (`minion:skip` unless the runner's
 * `skipTag` says otherwise) is left alone by every selector job, until the RFC 3339 time its value
 * holds, or for good while it has no time. Nobody needs API access to snooze one machine: the tag
 * is set where the resource lives. A value that is not a time still skips (the safe reading of a
 * tag somebody set on purpose), and the reason says so.
 */
export function skipReason(
  tags: Record<string, string>,
  skipTag: string,
  now: Date,
): string | null {
  if (!Object.prototype.hasOwnProperty.call(tags, skipTag)) return null;
  const value = tags[skipTag].trim();
  if (value === '' || value.toLowerCase() === 'true') return `tag ${skipTag}`;
  const until = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(until)) {
    return `tag ${skipTag}=${JSON.stringify(value.slice(0, 64))} (not an RFC 3339 time: skipped until the tag is removed)`;
  }
  return until > now.getTime() ? `tag ${skipTag} until ${value}` : null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
