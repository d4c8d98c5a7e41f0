import { Matches } from 'class-validator';

/** A Go duration string, the original config's format for times: "90s", "5m", "1h30m", "250ms". */
export function IsDuration(): PropertyDecorator {
  return Matches(/^(\d+(\.\d+)?(ms|s|m|h))+$/, {
    message: '$property must be a duration such as "90s", "5m" or "1h30m"',
  });
}
