import { isSafeSegment } from '../safe-segment';
import { isPlainObject } from '../validators/canonical-keys';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const SEGMENT_PARAMS = new Map<Function, readonly string[]>();

/**
 * Marks a path-parameter class whose listed properties are all safe segments (and that has no
 * other): for values that pass, the validation pipe builds the instance directly instead of
 * going through class-transformer and class-validator on every request (a tenth of a GET,
 * bench:api). Anything else still goes through them, so the error messages are theirs.
 */
export function SegmentParams(...keys: string[]): ClassDecorator {
  return (cls) => {
    SEGMENT_PARAMS.set(cls, keys);
  };
}

/** The params instance for valid `value`; undefined when `cls` is not marked or a value fails. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function validSegmentParams(cls: Function, value: unknown): object | undefined {
  const keys = SEGMENT_PARAMS.get(cls);
  if (!keys || !isPlainObject(value)) return undefined;
  const out = Object.create(cls.prototype as object) as Record<string, unknown>;
  for (const key of keys) {
    if (!isSafeSegment(value[key])) return undefined;
    out[key] = value[key];
  }
  return out;
}

/** The keys a class was marked with (for the spec that keeps them equal to its validated ones). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function segmentParamKeys(cls: Function): readonly string[] | undefined {
  return SEGMENT_PARAMS.get(cls);
}
