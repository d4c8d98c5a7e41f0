import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import { registerDecorator, ValidateNested, ValidationArguments } from 'class-validator';
import { isPlainObject } from './canonical-keys';
import { Ctor, recordShape } from './shape';

/**
 * A property holding one object of class `cls`: refused unless it is a JSON object (an array or a
 * string is a 400 naming the property, never a crash further on), then validated as `cls`.
 */
export function NestedObject(cls: () => Ctor): PropertyDecorator {
  return applyDecorators(
    shapeDecorator({ kind: 'object', cls }),
    IsPlainObjectValue(),
    ValidateNested(),
    Type(cls),
  );
}

/** A property holding an array of objects of class `cls`; a non-object item is named by index. */
export function NestedArray(cls: () => Ctor): PropertyDecorator {
  return applyDecorators(
    shapeDecorator({ kind: 'array', of: { kind: 'object', cls } }),
    IsArrayOfObjects(),
    ValidateNested({ each: true }),
    Type(cls),
  );
}

function shapeDecorator(shape: Parameters<typeof recordShape>[2]): PropertyDecorator {
  return (target, property) => recordShape(target, property as string, shape);
}

function IsPlainObjectValue(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainObjectValue',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an object' },
      validator: { validate: (value: unknown) => isPlainObject(value) },
    });
}

function IsArrayOfObjects(): PropertyDecorator {
  const firstBad = (value: unknown[]) => value.findIndex((item) => !isPlainObject(item));
  return (target, propertyName) =>
    registerDecorator({
      name: 'isArrayOfObjects',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => Array.isArray(value) && firstBad(value) < 0,
        defaultMessage: (args: ValidationArguments) =>
          Array.isArray(args.value)
            ? `${args.property}[${firstBad(args.value)}] must be an object`
            : `${args.property} must be an array`,
      },
    });
}
