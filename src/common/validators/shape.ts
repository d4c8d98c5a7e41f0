import { getMetadataStorage } from 'class-validator';

/**
 * What a validated class expects under each of its properties, beyond the property names
 * class-validator knows: nested classes, arrays of them, name -> object maps, driver configs
 * chosen by a sibling `type`. Recorded by the decorators that validate those properties
 * (`NestedObject`, `NestedArray`, `ValidateRecordOf`, `ValidateByType`), and read by
 * `canonicalKeys` to apply the original's lenient JSON rules before validation.
 */
export type Ctor = new () => object;
/** Any class, abstract ones included (metadata is keyed by constructor). */
type AnyClass = abstract new (...args: never[]) => unknown;

export type Shape =
  | { kind: 'object'; cls: () => Ctor }
  | { kind: 'array'; of: Shape }
  /** Names are data (account names, runner names): kept as they are; values have `of`. */
  | { kind: 'record'; of: Shape }
  /** The class depends on the sibling `type` property. */
  | { kind: 'byType'; classes: Record<string, Ctor> }
  /** Free-form (a string map such as `details`): kept as it is. */
  | { kind: 'opaque' };

const SHAPES = new Map<AnyClass, Map<string, Shape>>();

export function recordShape(target: object, property: string, shape: Shape): void {
  const cls = target.constructor as AnyClass;
  let map = SHAPES.get(cls);
  if (!map) {
    map = new Map();
    SHAPES.set(cls, map);
  }
  map.set(property, shape);
}

/** The shape of `property` on `cls` or one of its parent classes. */
export function shapeOf(cls: AnyClass, property: string): Shape | undefined {
  for (let c: AnyClass | null = cls; c && c !== Object; c = Object.getPrototypeOf(c)) {
    const shape = SHAPES.get(c)?.get(property);
    if (shape) return shape;
  }
  return undefined;
}

const propertyCache = new Map<AnyClass, string[]>();

/** Every property class-validator validates on `cls` (its own and inherited). */
export function propertiesOf(cls: AnyClass): string[] {
  let names = propertyCache.get(cls);
  if (!names) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(
      cls as unknown as new () => object,
      '',
      true,
      false,
    );
    names = [...new Set(metadata.map((m) => m.propertyName))];
    propertyCache.set(cls, names);
  }
  return names;
}
