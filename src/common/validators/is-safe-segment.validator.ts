import { registerDecorator, ValidationOptions } from 'class-validator';
import { isSafeSegment, SAFE_SEGMENT_RULE } from '../safe-segment';

/** A value usable as one path segment of a file path or S3 key (see safe-segment.ts). */
export function IsSafeSegment(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSafeSegment',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `$property ${SAFE_SEGMENT_RULE}`, ...options },
      validator: { validate: (value: unknown) => isSafeSegment(value) },
    });
}
