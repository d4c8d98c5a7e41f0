import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
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
  /**
   * What an empty query string validates to, by class: most list requests have none, and its
   * transform and validation (class-transformer, class-validator) always give the same answer
   * (bench:api: about 7% of the account list's time). Only a valid result is kept.
   */
  private readonly emptyQueries = new Map<Ctor, object>();

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
    if (
      metadata.type === 'query' &&
      !metadata.data &&
      cls &&
      this.isClass(cls) &&
      isEmptyObject(value)
    ) {
      let valid = this.emptyQueries.get(cls);
      if (!valid) {
        valid = (await this.lenientTransform({}, metadata, cls)) as object;
        if (valid instanceof cls) this.emptyQueries.set(cls, valid);
      }
      // A copy each time: a handler may change what it was given.
      return Object.assign(Object.create(Object.getPrototypeOf(valid) as object) as object, valid);
    }
    return this.lenientTransform(value, metadata, cls);
  }

  private async lenientTransform(
    value: unknown,
    metadata: ArgumentMetadata,
    cls: Ctor | undefined,
  ): Promise<unknown> {
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

  /**
   * Nest looks through every validated object for binary values (a socket message's
   * attachments); what reaches this pipe is JSON, a query string or path segments, which hold
   * none, and the look costs a walk of the body and a metadata lookup per nested object
   * (bench:api: about 2% of a create).
   */
  protected override findNestedBinaryValues(): ValidationError[] {
    return [];
  }

  private isClass(cls: Ctor): boolean {
    return ![String, Boolean, Number, Array, Object].includes(cls as never);
  }
}

/** A plain object without keys (what the HTTP layer parses from no query string). */
function isEmptyObject(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}
