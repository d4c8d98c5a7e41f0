import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { validationMessages } from '../validation-messages';
import { canonicalKeys, isPlainObject } from '../validators/canonical-keys';
import { Ctor } from '../validators/shape';
import { validSegmentParams } from './segment-params';

/**
 * The global validation pipe. Bodies and query strings first get the original's lenient key
 * rules (`canonicalKeys`: case-insensitive, unknown keys ignored), then the strict validation of
 * every known field: one message per field, naming it (`job.schedule_expression ...`).
 */
export class LenientValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: false,
      transform: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) => new BadRequestException(validationMessages(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const cls = metadata.metatype as Ctor | undefined;
    if (metadata.type === 'param' && cls) {
      const valid = validSegmentParams(cls, value);
      if (valid) return valid;
    }
    if ((metadata.type === 'body' || metadata.type === 'query') && cls && this.isClass(cls)) {
      if (!isPlainObject(value)) {
        throw new BadRequestException(`${metadata.type} must be a JSON object`);
      }
      const canonical = canonicalKeys(value, cls);
      if (canonical.reserved.length > 0) {
        throw new BadRequestException(`${canonical.reserved[0]} is a reserved key`);
      }
      value = canonical.value;
    }
    return super.transform(value, metadata);
  }

  private isClass(cls: Ctor): boolean {
    return ![String, Boolean, Number, Array, Object].includes(cls as never);
  }
}
