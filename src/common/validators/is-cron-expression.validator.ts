import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { CronSchedule, DEFAULT_TIMEZONE, isValidTimeZone } from '../cron/cron-schedule';

/**
 * A schedule expression in the dialect minion accepts (see cron-schedule.ts). When the object has
 * a valid `timezone` sibling it is parsed in that zone; an invalid zone is reported by its own
 * validator, not here.
 */
export function IsCronExpression(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCronExpression',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          return typeof value === 'string' && CronSchedule.problem(value, zoneOf(args)) === null;
        },
        defaultMessage(args: ValidationArguments) {
          if (typeof args.value !== 'string') return `${args.property} must be a string`;
          const reason = CronSchedule.problem(args.value, zoneOf(args));
          return `${args.property} is not a valid cron expression: ${reason}`;
        },
      },
    });
}

function zoneOf(args: ValidationArguments): string {
  const tz = (args.object as { timezone?: unknown }).timezone;
  return isValidTimeZone(tz) ? tz : DEFAULT_TIMEZONE;
}

/** An IANA time zone name known to this runtime (e.g. `Europe/Berlin`, `UTC`). */
export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimeZone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: '$property must be an IANA time zone name such as Europe/Berlin',
        ...options,
      },
      validator: { validate: (value: unknown) => isValidTimeZone(value) },
    });
}
