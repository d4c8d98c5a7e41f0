import { Matches, ValidateBy } from 'class-validator';
import { parseDuration } from '../duration';

/** A Go duration string, the original config's format for times: "90s", "5m", "1h30m", "250ms". */
export function IsDuration(): PropertyDecorator {
  return Matches(/^(\d+(\.\d+)?(ms|s|m|h))+$/, {
    message: '$property must be a duration such as "90s", "5m" or "1h30m"',
  });
}

/** A Go duration string between `min` and `max` (both durations, inclusive). */
export function IsDurationBetween(min: string, max: string): PropertyDecorator {
  const [lo, hi] = [parseDuration(min) as number, parseDuration(max) as number];
  return ValidateBy({
    name: 'isDurationBetween',
    validator: {
      validate: (value: unknown) => {
        const ms = typeof value === 'string' ? parseDuration(value) : null;
        return ms !== null && ms >= lo && ms <= hi;
      },
      defaultMessage: () => `$property must be a duration from ${min} to ${max}`,
    },
  });
}
