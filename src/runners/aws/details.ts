import { InvalidFieldError } from '../../common/errors';

/**
 * Checks on a job's `details` shared by the AWS runners. Each throws InvalidFieldError naming
 * `job.details.<key>` and what is allowed: a 400 at create/update time, a permanent error at run time.
 */
export function required(
  details: Record<string, string>,
  key: string,
  pattern?: RegExp,
  hint?: string,
): string {
  const value = details[key];
  if (value === undefined || value === '')
    throw new InvalidFieldError(`job.details.${key}`, 'is required');
  if (pattern && !pattern.test(value)) {
    throw new InvalidFieldError(
      `job.details.${key}`,
      `"${value.slice(0, 100)}" is not valid${hint ? ` (${hint})` : ''}`,
    );
  }
  return value;
}

export function oneOf<T extends string>(
  details: Record<string, string>,
  key: string,
  allowed: readonly T[],
  fallback?: T,
): T {
  const value = details[key] ?? fallback;
  if (value === undefined || value === '') {
    throw new InvalidFieldError(
      `job.details.${key}`,
      `is required (allowed: ${allowed.join(', ')})`,
    );
  }
  if (!allowed.includes(value as T)) {
    throw new InvalidFieldError(
      `job.details.${key}`,
      `"${value.slice(0, 100)}" is not allowed (allowed: ${allowed.join(', ')})`,
    );
  }
  return value as T;
}

export function integer(
  details: Record<string, string>,
  key: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const raw = details[key];
  if (raw === undefined || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new InvalidFieldError(
      `job.details.${key}`,
      `is required (an integer from ${min} to ${max}, as a string)`,
    );
  }
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidFieldError(
      `job.details.${key}`,
      `"${raw.slice(0, 100)}" must be an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/** A comma-separated list whose items all match `pattern`; empty or absent gives []. */
export function list(
  details: Record<string, string>,
  key: string,
  pattern: RegExp,
  hint: string,
): string[] {
  const raw = details[key];
  if (raw === undefined || raw.trim() === '') return [];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.find((i) => !pattern.test(i));
  if (bad)
    throw new InvalidFieldError(
      `job.details.${key}`,
      `"${bad.slice(0, 100)}" is not valid (${hint})`,
    );
  return items;
}
