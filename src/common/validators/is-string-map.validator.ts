import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { RESERVED_KEYS } from './canonical-keys';
import { recordShape } from './shape';

export interface StringMapLimits {
  maxEntries: number;
  keyPattern: RegExp;
  maxValueLength: number;
}

/**
 * A flat object whose values are all strings (the job document's `details`). The message names
 * the first offending key so the client knows exactly what to fix.
 */
export function IsStringMap(
  limits: StringMapLimits,
  options?: ValidationOptions,
): PropertyDecorator {
  const problem = (value: unknown): string | null => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return 'must be an object whose values are strings';
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > limits.maxEntries) return `must have at most ${limits.maxEntries} keys`;
    for (const [key, v] of entries) {
      if (RESERVED_KEYS.has(key)) return `key "${key}" is reserved`;
      if (!limits.keyPattern.test(key)) return `key "${key.slice(0, 64)}" is not allowed`;
      if (typeof v !== 'string') return `.${key} must be a string`;
      if (v.length > limits.maxValueLength) {
        return `.${key} must be at most ${limits.maxValueLength} characters`;
      }
    }
    return null;
  };
  return (target, propertyName) => {
    // Its keys are data: the lenient key rules never fold or drop them.
    recordShape(target, propertyName as string, { kind: 'opaque' });
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args: ValidationArguments) => {
          const p = problem(args.value) ?? '';
          return p.startsWith('.') ? `${args.property}${p}` : `${args.property} ${p}`;
        },
      },
    });
  };
}
