import { createHash } from 'node:crypto';
import { InvalidFieldError } from '../common/errors';
import { JobDocument, serializeJob } from '../domain/job-document';

/** What an `Idempotency-Key` may hold: printable ASCII, 1 to 200 characters. */
const KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * The job id a create with `Idempotency-Key` gets: a UUID (version 5 layout) derived from the
 * account, the group and the key, so a retried create targets the same job rather than a new
 * one. Keys are per account and group: the same key elsewhere is another job.
 */
export function jobIdForKey(account: string, group: string, key: string): string {
  if (!KEY.test(key)) {
    throw new InvalidFieldError('Idempotency-Key', 'must be 1 to 200 printable ASCII characters');
  }
  const hash = createHash('sha1')
    .update(`minion-create\u0000${account}\u0000${group}\u0000${key}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The same job as far as a retried create is concerned: everything but when it was written. */
export function sameCreate(stored: JobDocument, sent: JobDocument): boolean {
  return (
    serializeJob({ ...stored, modified_at: '' }) === serializeJob({ ...sent, modified_at: '' })
  );
}
