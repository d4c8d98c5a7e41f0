import 'reflect-metadata';
import { Clock } from '../../src/common/clock';
import { ManualClock } from './manual-clock';

export { ManualClock };

/**
 * Anything naming a class: concrete, abstract (a port) or with a private constructor. Matched on
 * its prototype alone, so an abstract class is one as much as an injectable service is.
 */
export type ClassToken<T> = { prototype: T };

/** What a dependency given as `dep` becomes: a class is mocked (a `Clock` a ManualClock). */
export type Resolved<Dep> =
  Dep extends ClassToken<infer T> ? (T extends Clock ? ManualClock : jest.Mocked<T>) : Dep;

/** The dependencies of `newTestService`, by the names the spec gave them, as the service got them. */
export type Mocks<Deps> = { [K in keyof Deps]: Resolved<Deps[K]> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ServiceClass = new (...args: any[]) => object;
type Param<S extends ServiceClass> = ConstructorParameters<S>[number];

/** Reads of these names pass through a mock untouched (await, jest's matchers, printing). */
const NOT_MOCKED = new Set(['then', 'constructor', 'asymmetricMatch', 'toJSON', 'nodeType']);

/**
 * A typed mock of a class or port: every method the code under test calls is a `jest.fn()`,
 * made on first use (an abstract method exists only in the types, so it cannot be listed
 * beforehand); `init` sets properties that are not methods (`location`, `check: null`) or
 * starting implementations. The mock is `instanceof` the class.
 *
 *     const repository = mockOf(JobsRepository, { location: 'file:/jobs' });
 *     repository.get.mockResolvedValue(stored);
 */
export function mockOf<T extends object>(
  token: ClassToken<T>,
  init: Partial<T> = {},
): jest.Mocked<T> {
  const target = Object.create(token.prototype as object) as Record<string, unknown>;
  const own = (key: string, value: unknown) =>
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  for (const [key, value] of Object.entries(init)) own(key, value);
  const name = (token as { name?: string }).name ?? 'mock';
  return new Proxy(target, {
    get(obj, key, receiver) {
      if (
        typeof key === 'symbol' ||
        Object.hasOwn(obj, key) ||
        NOT_MOCKED.has(key) ||
        key in Object.prototype
      ) {
        return Reflect.get(obj, key, receiver);
      }
      const fn = jest.fn().mockName(`${name}.${key}`);
      own(key, fn);
      return fn;
    },
    set(obj, key, value) {
      if (typeof key === 'symbol') return Reflect.set(obj, key, value);
      own(key, value);
      return true;
    },
  }) as unknown as jest.Mocked<T>;
}

/** Types the constructor's own metadata does not say anything useful about. */
const UNTYPED = new Set<unknown>([
  undefined,
  Object,
  Array,
  Function,
  String,
  Number,
  Boolean,
  Promise,
]);

/**
 * Builds `Service` for a unit spec with every constructor dependency under a name of the spec's
 * choosing, in constructor order (immich's `newTestService`, without a fixed list of repositories):
 *
 *     const { sut, mocks } = newTestService(JobWriter, {
 *       repository: JobsRepository, // a class or port: a jest.Mocked<JobsRepository>
 *       changes: JobChanges,
 *       auditor: Auditor,
 *       jobLog: mockOf(JobLog, { ... }), // a mock made beforehand, with `init`
 *     });
 *     mocks.repository.create.mockResolvedValue(stored);
 *
 * - A class (anything callable with a prototype) is replaced by `mockOf(it)`; `Clock` (or a
 *   subclass) by a `ManualClock`, so `mocks.clock.advance(ms)` drives the service's time.
 * - Anything else is passed as it is: a settings slice literal, a `new ManualClock('2026-…')`, a
 *   real collaborator (`new MetricsRegistry()`), `undefined` for an optional parameter.
 *
 * The order is checked against what the compiler recorded for an `@Injectable()` service
 * (`design:paramtypes`): a mock or instance of the wrong class in a position throws at once,
 * naming it, rather than making the spec fail somewhere puzzling.
 */
export function newTestService<S extends ServiceClass, Deps extends Record<string, unknown>>(
  Service: S,
  deps: Deps & { [K in keyof Deps]: Param<S> | ClassToken<Param<S>> },
): { sut: InstanceType<S>; mocks: Mocks<Deps> } {
  const names = Object.keys(deps);
  const recorded = Reflect.getMetadata('design:paramtypes', Service) as unknown[] | undefined;
  const where = `newTestService(${Service.name})`;
  if (recorded && recorded.length !== names.length) {
    throw new Error(
      `${where}: the constructor takes ${recorded.length} dependencies, given ${names.length}`,
    );
  }
  if (names.length < Service.length) {
    throw new Error(
      `${where}: the constructor takes at least ${Service.length} dependencies, given ${names.length}`,
    );
  }
  const args = names.map((name, i) => {
    const dep = deps[name];
    const value = typeof dep === 'function' ? instantiate(dep as ClassToken<object>) : dep;
    const expected = recorded?.[i] as (abstract new (...args: never) => unknown) | undefined;
    if (!UNTYPED.has(expected) && expected && !fits(value, expected)) {
      throw new Error(
        `${where}: "${name}" is dependency ${i + 1}, where the constructor takes a ${expected.name}`,
      );
    }
    return value;
  });
  const mocks = Object.fromEntries(names.map((name, i) => [name, args[i]])) as Mocks<Deps>;
  return { sut: new Service(...args) as InstanceType<S>, mocks };
}

function instantiate(token: ClassToken<object>): object {
  return token.prototype instanceof Clock || token === (Clock as unknown)
    ? new ManualClock()
    : mockOf(token);
}

/**
 * An instance of the class, a plain literal standing in for it (a settings slice, a stub), or
 * undefined (an optional parameter left out).
 */
function fits(value: unknown, expected: abstract new (...args: never) => unknown): boolean {
  if (value === undefined || value instanceof expected) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
