import { InvalidFieldError } from './errors';

/**
 * Account, group and job id become path segments of file paths and S3 keys. Restricting them to
 * this pattern makes traversal (`..`), separators and key injection impossible by construction.
 */
export const SAFE_SEGMENT_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export const SAFE_SEGMENT_RULE =
  'must be 1-128 characters of letters, digits, "-", "_" or ".", not starting with "."';

/** Storage keys never trust their caller: an unsafe segment is refused with InvalidFieldError. */
export function requireSafeSegment(value: string, field: string): string {
  if (!isSafeSegment(value)) throw new InvalidFieldError(field, SAFE_SEGMENT_RULE);
  return value;
}

export function isSafeSegment(value: unknown): value is string {
  return typeof value === 'string' && SAFE_SEGMENT_PATTERN.test(value);
}
