/**
 * Checks shared by Cello's decorators, so that a decorator use Cello would not
 * honour (an unknown option, a method decorator on a property, ...) fails when
 * the class is declared instead of being ignored. Each library wraps the
 * problem found here in its own typed error.
 */

/** What a decorator was applied to, as TypeScript hands it over. */
export interface DecoratorTarget {
  readonly target: object;
  readonly key?: string | symbol;
  readonly descriptor?: PropertyDescriptor;
}

/** The keys of `options` that are not in `allowed` (none when options is not an object). */
export function unknownOptionKeys(options: unknown, allowed: readonly string[]): string[] {
  if (typeof options !== 'object' || options === null) return [];
  return Object.keys(options).filter((key) => !allowed.includes(key));
}

/** True when `options` is undefined or a plain object (not an array, class or primitive). */
export function isOptionsObject(options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return false;
  const proto = Object.getPrototypeOf(options) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A readable name for what the decorator was put on: `Class`, `Class.method`, `Class.property`. */
export function describeDecoratorTarget({ target, key }: DecoratorTarget): string {
  const owner = typeof target === 'function' ? target : target.constructor;
  const name = (owner as { name?: string }).name || 'an anonymous class';
  return key === undefined ? name : `${name}.${String(key)}`;
}
