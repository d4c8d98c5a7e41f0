import { plainToInstance } from 'class-transformer';
import { registerDecorator, validateSync, ValidationArguments } from 'class-validator';
import { validationMessages } from '../validation-messages';
import { recordShape } from './shape';

type Ctor<T> = new () => T;

/** Converts each value of a plain `name -> object` map into an instance of `cls`. */
export function toRecordOf<T>(cls: Ctor<T>, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, isPlainObject(v) ? plainToInstance(cls, v) : v]),
  );
}

function isPlainObject(v: unknown): v is object {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function recordProblems(value: unknown, cls: Ctor<object>, path: string): string[] {
  if (!isPlainObject(value)) return [`${path} must be an object`];
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (!isPlainObject(item)) {
      problems.push(`${path}.${key} must be an object`);
      continue;
    }
    const instance = item instanceof cls ? item : plainToInstance(cls, item);
    const errors = validateSync(instance, { whitelist: true });
    problems.push(...validationMessages(errors, `${path}.${key}`));
  }
  return problems;
}

/** Validates every value of a `name -> object` map (accounts, jobRunners) against `cls`. */
export function ValidateRecordOf(cls: Ctor<object>): PropertyDecorator {
  return (target, propertyName) => {
    recordShape(target, propertyName as string, {
      kind: 'record',
      of: { kind: 'object', cls: () => cls },
    });
    registerDecorator({
      name: 'validateRecordOf',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          recordProblems(value, cls, args.property).length === 0,
        defaultMessage: (args: ValidationArguments) =>
          recordProblems(args.value, cls, args.property)[0],
      },
    });
  };
}

/**
 * Validates an object whose shape depends on a sibling `type` (a driver's `config`): the class
 * for each type is given by `byType`. Types missing from the map are reported by the `type` rule.
 */
export function ValidateByType(byType: Record<string, Ctor<object>>): PropertyDecorator {
  const problems = (value: unknown, args: ValidationArguments): string[] => {
    const type = (args.object as { type?: unknown }).type;
    const cls = typeof type === 'string' ? byType[type] : undefined;
    if (!cls) return [];
    if (!isPlainObject(value)) return [`${args.property} must be an object`];
    const instance = value instanceof cls ? value : plainToInstance(cls, value);
    return validationMessages(validateSync(instance, { whitelist: true }), args.property);
  };
  return (target, propertyName) => {
    recordShape(target, propertyName as string, { kind: 'byType', classes: byType });
    registerDecorator({
      name: 'validateByType',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => problems(value, args).length === 0,
        defaultMessage: (args: ValidationArguments) => problems(args.value, args)[0],
      },
    });
  };
}
