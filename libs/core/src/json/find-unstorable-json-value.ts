/** A path into a JSON value: object keys and array indexes. */
export type JsonValuePath = readonly (string | number)[];

/** A value that JSON storage would refuse or silently change, and where it is. */
export interface UnstorableJsonValue {
  /** Keys and indexes from the root to the value. */
  readonly path: JsonValuePath;
  /** Why it cannot be stored, in words a caller can act on. */
  readonly reason: string;
}

/** Options of {@link findUnstorableJsonValue}. */
export interface FindUnstorableJsonValueOptions {
  /** Keys of the root object that are not stored (e.g. an event's own id). Default: none. */
  readonly skipRootKeys?: ReadonlySet<string>;
}

// Objects whose JSON form drops their content ({} or a bare index map).
const LOSSY_TYPES: readonly (abstract new (...args: never[]) => object)[] = [
  Map,
  Set,
  WeakMap,
  WeakSet,
  RegExp,
  Error,
  Promise,
  ArrayBuffer,
  DataView,
];

const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why a string cannot be stored, or undefined: PostgreSQL's jsonb and text
 * refuse NUL, jsonb and MySQL's JSON refuse lone UTF-16 surrogates (and
 * UTF-8 has no encoding for them).
 */
export function unstorableStringReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'holds a NUL character (\\u0000), which databases refuse';
  // With the u flag a surrogate pair is one code point: only lone halves match.
  // That scan is slower, so it runs only on text that holds a surrogate at all.
  if (ANY_SURROGATE.test(text) && LONE_SURROGATE.test(text)) {
    return 'holds a lone UTF-16 surrogate, which is not valid Unicode text';
  }
  return undefined;
}

/**
 * `text` with each NUL and lone surrogate replaced by U+FFFD, for text that
 * must be stored whatever it holds (an error message echoing input).
 */
export function toStorableText(text: string): string {
  if (unstorableStringReason(text) === undefined) return text;
  return text.replaceAll('\u0000', '\uFFFD').replace(/\p{Cs}/gu, '\uFFFD');
}

/**
 * The first value in `value` that the JSON columns of every Cello backend
 * could not store exactly as given, or undefined when all of it can: strings
 * and keys with NUL or lone surrogates, BigInt, functions, symbols, NaN and
 * ±Infinity, `undefined` (or holes) in arrays, cycles, invalid dates, and
 * objects whose JSON form loses their content (Map, Set, RegExp, Error, typed
 * arrays...). `undefined` object fields are allowed: JSON omits them, as
 * usual. Objects with `toJSON` are checked through what it returns, as
 * `JSON.stringify` would store it.
 */
export function findUnstorableJsonValue(
  value: unknown,
  options: FindUnstorableJsonValueOptions = {},
): UnstorableJsonValue | undefined {
  const skipRootKeys = options.skipRootKeys ?? new Set<string>();
  const ancestors = new Set<object>();
  const path: (string | number)[] = [];
  const found = (reason: string): UnstorableJsonValue => ({ path: [...path], reason });

  const visit = (raw: unknown, key: string | number): UnstorableJsonValue | undefined => {
    let current = raw;
    if (current instanceof Date && Number.isNaN(current.getTime())) {
      return found('is an invalid Date');
    }
    if (
      typeof current === 'object' &&
      current !== null &&
      typeof (current as { toJSON?: unknown }).toJSON === 'function'
    ) {
      try {
        current = (current as { toJSON(key: string): unknown }).toJSON(String(key));
      } catch (error) {
        return found(`its toJSON() threw: ${(error as Error)?.message ?? String(error)}`);
      }
    }
    switch (typeof current) {
      case 'string':
        return unstorableStringReason(current) === undefined
          ? undefined
          : found(`is a string that ${unstorableStringReason(current)}`);
      case 'number':
        return Number.isFinite(current) ? undefined : found(`is ${current}, which is not JSON`);
      case 'boolean':
        return undefined;
      case 'bigint':
        return found('is a BigInt, which is not JSON; store it as a string');
      case 'function':
        return found('is a function, which cannot be stored');
      case 'symbol':
        return found('is a symbol, which cannot be stored');
      case 'undefined':
        return found('is undefined, which JSON cannot hold here (it would become null)');
    }
    if (current === null) return undefined;
    const object = current as object;
    if (ArrayBuffer.isView(object)) {
      return found(`is a ${object.constructor.name}, whose JSON form loses its content`);
    }
    const lossy = LOSSY_TYPES.find((type) => object instanceof type);
    if (lossy) {
      return found(
        `is a ${lossy.name}, whose JSON form loses its content; use a plain object or array`,
      );
    }
    if (ancestors.has(object)) return found('is a circular reference');
    ancestors.add(object);
    try {
      if (Array.isArray(object)) {
        for (let index = 0; index < object.length; index++) {
          path.push(index);
          // A hole reads as undefined and is refused like one.
          const problem = visit(object[index], index);
          path.pop();
          if (problem) return problem;
        }
        return undefined;
      }
      const isRoot = path.length === 0;
      for (const field of Object.keys(object)) {
        if (isRoot && skipRootKeys.has(field)) continue;
        path.push(field);
        try {
          const keyReason = unstorableStringReason(field);
          if (keyReason) return found(`has a key that ${keyReason}`);
          const child = (object as Record<string, unknown>)[field];
          // JSON leaves out undefined fields, which is the usual and expected behaviour.
          if (child === undefined) continue;
          const problem = visit(child, field);
          if (problem) return problem;
        } finally {
          path.pop();
        }
      }
      return undefined;
    } finally {
      ancestors.delete(object);
    }
  };

  return visit(value, '');
}

/**
 * A path for messages: `root.customer.name`, `root.items[2].sku`; keys that
 * are not identifiers are quoted (`root["a b"]`).
 */
export function formatJsonValuePath(root: string, path: JsonValuePath): string {
  let text = root;
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
