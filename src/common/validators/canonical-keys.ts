import { Ctor, propertiesOf, Shape, shapeOf } from './shape';

/** Never a property name, never stored, whatever the rules: they can reach object prototypes. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

export interface Canonical {
  value: unknown;
  /** Paths of the keys left out because `cls` has no such property (for warnings). */
  unknown: string[];
  /** Paths of reserved keys found inside free-form values (such as `details`), left out too. */
  reserved: string[];
}

/**
 * Go's encoding/json rules, which the original applied to request bodies and to its config:
 * keys match properties case-insensitively (`Job`, `Schedule_Expression`; the last of several
 * spellings wins, as in Go), and keys no property has are ignored. Returns a copy holding only
 * known properties under their canonical names; values of the wrong type are left for the
 * validator to refuse. Nested classes, arrays and maps follow the shapes the validation
 * decorators recorded. Reserved keys (`__proto__`, ...) are always left out.
 */
export function canonicalKeys(value: unknown, cls: Ctor, path = ''): Canonical {
  const found: Found = { unknown: [], reserved: [] };
  return { value: walk(value, { kind: 'object', cls: () => cls }, path, found), ...found };
}

interface Found {
  unknown: string[];
  reserved: string[];
}

function walk(value: unknown, shape: Shape, path: string, found: Found): unknown {
  switch (shape.kind) {
    case 'object':
      return isPlainObject(value) ? object(value, shape.cls(), path, found) : value;
    case 'array':
      return Array.isArray(value)
        ? value.map((item, i) => walk(item, shape.of, `${path}[${i}]`, found))
        : value;
    case 'record':
      if (!isPlainObject(value)) return value;
      return Object.fromEntries(
        Object.entries(value).flatMap(([name, item]) => {
          if (!RESERVED_KEYS.has(name))
            return [[name, walk(item, shape.of, join(path, name), found)]];
          found.reserved.push(join(path, name));
          return [];
        }),
      );
    case 'byType':
      return value; // resolved by the parent (see `object`), which knows the sibling `type`
    case 'opaque':
      return withoutReserved(value, path, found.reserved);
  }
}

/**
 * A free-form value with every reserved key removed at any depth (class-transformer, which
 * copies bodies before validation, chokes on a `constructor` or `prototype` key), each reported.
 */
function withoutReserved(value: unknown, path: string, reserved: string[]): unknown {
  if (Array.isArray(value)) {
    return value.map((item, i) => withoutReserved(item, `${path}[${i}]`, reserved));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (RESERVED_KEYS.has(key)) reserved.push(join(path, key));
    else out[key] = withoutReserved(item, join(path, key), reserved);
  }
  return out;
}

function object(
  value: Record<string, unknown>,
  cls: Ctor,
  path: string,
  found: Found,
): Record<string, unknown> {
  const names = propertiesOf(cls);
  const exact = new Set(names);
  const folded = new Map(names.map((n) => [n.toLowerCase(), n]));
  const out: Record<string, unknown> = {};
  const byType: [string, Record<string, Ctor>][] = [];
  for (const [key, item] of Object.entries(value)) {
    const name = RESERVED_KEYS.has(key)
      ? undefined
      : exact.has(key)
        ? key
        : folded.get(key.toLowerCase());
    if (name === undefined) {
      found.unknown.push(join(path, key));
      continue;
    }
    // A property without a recorded shape holds a scalar or a free-form value.
    const shape: Shape = shapeOf(cls, name) ?? { kind: 'opaque' };
    if (shape.kind === 'byType') byType.push([name, shape.classes]);
    out[name] = walk(item, shape, join(path, name), found);
  }
  // A driver's `config` takes the class of its `type`, which may come after it in the JSON.
  for (const [name, classes] of byType) {
    const type = out.type;
    const sub = typeof type === 'string' ? classes[type] : undefined;
    const shape: Shape = sub ? { kind: 'object', cls: () => sub } : { kind: 'opaque' };
    out[name] = walk(out[name], shape, join(path, name), found);
  }
  return out;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
