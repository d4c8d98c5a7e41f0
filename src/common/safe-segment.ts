import { createHash } from 'node:crypto';
import { InvalidFieldError } from './errors';

/**
 * Org, account, group and job id are path segments of file paths and S3 keys. The original
 * minion accepted any URL path segment without "/", so minion does too, refusing only what can
 * never be a single safe segment: "/", "." and "..", control characters, malformed Unicode, and
 * more than 256 bytes of UTF-8. The file stores encode what a file name cannot hold (see
 * `segmentFileName`), so no name can escape the data directory.
 */
export const SEGMENT_MAX_BYTES = 256;

export const SAFE_SEGMENT_RULE =
  'must be 1-256 bytes, without "/" or control characters, and not "." or ".."';

/** The character rule, for the OpenAPI document (the byte limit is stated beside it). */
// eslint-disable-next-line no-control-regex
export const SAFE_SEGMENT_PATTERN = /^(?!\.{1,2}$)[^/\u0000-\u001f\u007f]+$/;

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\u0000-\u001f\u007f]/;
/** Half of a surrogate pair alone: not a character, and not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isSafeSegment(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value !== '.' &&
    value !== '..' &&
    !FORBIDDEN.test(value) &&
    !LONE_SURROGATE.test(value) &&
    Buffer.byteLength(value, 'utf8') <= SEGMENT_MAX_BYTES
  );
}

/** Storage keys never trust their caller: an unsafe segment is refused with InvalidFieldError. */
export function requireSafeSegment(value: string, field: string): string {
  if (!isSafeSegment(value)) throw new InvalidFieldError(field, SAFE_SEGMENT_RULE);
  return value;
}

/** Longest file name the usual Linux file systems take (ext4, xfs, btrfs). */
export const MAX_FILE_NAME_BYTES = 255;

/**
 * A segment as a file name: "%" is escaped (so decoding is exact) and a leading "." too (hidden
 * names are minion's own temp and state files). Every other character is legal in a Linux file
 * name. Names made of letters, digits, "-", "_" and "." not starting with "." are unchanged, so
 * data written before this encoding reads back as it was.
 */
export function segmentFileName(segment: string): string {
  const escaped = segment.replace(/%/g, '%25');
  return escaped.startsWith('.') ? `%2E${escaped.slice(1)}` : escaped;
}

/**
 * Names `segmentFileName` leaves as they are, and that are safe segments (ASCII, so one byte a
 * character): most names, decoded without a regular expression replace (a listing of 100k jobs
 * decodes 100k names at startup).
 */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The inverse of `segmentFileName`, or null for a name it cannot have produced. */
export function segmentFromFileName(name: string): string | null {
  if (name.length <= SEGMENT_MAX_BYTES && PLAIN_NAME.test(name)) return name;
  if (name.startsWith('.')) return null;
  const decoded = name.replace(/%(25|2E)/g, (_, code: string) => (code === '25' ? '%' : '.'));
  return segmentFileName(decoded) === name && isSafeSegment(decoded) ? decoded : null;
}

/**
 * A file name for `segment` + `suffix` that always fits: names too long once encoded become a
 * hash. Only for files that are addressed by key and never listed (run logs).
 */
export function boundedFileName(segment: string, suffix: string): string {
  const name = segmentFileName(segment) + suffix;
  if (Buffer.byteLength(name, 'utf8') <= MAX_FILE_NAME_BYTES) return name;
  return `%~${createHash('sha256').update(segment).digest('base64url')}${suffix}`;
}
