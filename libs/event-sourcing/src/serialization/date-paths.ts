import { unstorableStringReason } from '@cello/core/internal';

/** Metadata key holding the JSON paths of an event's `Date` fields. */
export const DATE_PATHS_METADATA_KEY = '$cello.dates';

/** A path into a JSON value: object keys and array indexes. */
export type JsonPath = readonly (string | number)[];

/** Why a value cannot be stored as JSON, with where it is. */
export interface UnserializableValue {
  readonly path: string;
  readonly reason: string;
}

/** The result of preparing a value for JSON: where its `Date`s are, or what is wrong. */
export interface PreparedJson {
  readonly datePaths: JsonPath[];
  readonly problem?: UnserializableValue;
}

function describePath(path: readonly (string | number)[]): string {
  return path.map(String).join('.');
}

/**
 * Walks a value about to go through `JSON.stringify` and records the paths of
 * its `Date`s (so they can be revived on read, no annotations needed), and the
 * first value JSON would reject or silently lose: BigInt, functions, symbols,
 * cycles, Map/Set, invalid dates.
 *
 * With `checkStrings` false, strings and keys are not scanned for NUL or lone
 * surrogates: a caller that checks the JSON text afterwards (where both show
 * only as `\u` escapes) skips a scan per string.
 */
export function prepareJson(
  value: unknown,
  skipKeys: ReadonlySet<string> = new Set(),
  checkStrings = true,
): PreparedJson {
  const datePaths: JsonPath[] = [];
  const ancestors = new Set<object>();
  const path: (string | number)[] = [];

  const visit = (current: unknown, isRoot: boolean): UnserializableValue | undefined => {
    switch (typeof current) {
      case 'string': {
        if (!checkStrings) return undefined;
        // PostgreSQL's jsonb refuses these; refused here, every backend refuses the same.
        const reason = unstorableStringReason(current);
        return reason ? { path: describePath(path), reason: `the string ${reason}` } : undefined;
      }
      case 'undefined':
        // Only array items get here (undefined fields are skipped): JSON would turn them into null.
        return isRoot
          ? undefined
          : { path: describePath(path), reason: 'undefined in an array would be stored as null' };
      case 'bigint':
        return { path: describePath(path), reason: 'BigInt is not JSON; store it as a string' };
      case 'function':
        return { path: describePath(path), reason: 'functions cannot be stored' };
      case 'symbol':
        return { path: describePath(path), reason: 'symbols cannot be stored' };
      case 'number':
        return Number.isFinite(current)
          ? undefined
          : { path: describePath(path), reason: `${current} is not JSON` };
      case 'object':
        break;
      default:
        return undefined;
    }
    if (current === null) return undefined;
    if (current instanceof Date) {
      if (Number.isNaN(current.getTime())) {
        return { path: describePath(path), reason: 'invalid Date' };
      }
      datePaths.push([...path]);
      return undefined;
    }
    if (current instanceof Map || current instanceof Set) {
      return {
        path: describePath(path),
        reason: `${current.constructor.name} is not JSON; store an array or a plain object`,
      };
    }
    if (ancestors.has(current)) {
      return { path: describePath(path), reason: 'circular reference' };
    }
    if (typeof (current as { toJSON?: unknown }).toJSON === 'function') {
      // The object decides its own JSON form (e.g. a Decimal); trust it.
      return undefined;
    }
    ancestors.add(current);
    try {
      if (Array.isArray(current)) {
        for (let index = 0; index < current.length; index++) {
          path.push(index);
          const problem = visit(current[index], false);
          path.pop();
          if (problem) return problem;
        }
        return undefined;
      }
      for (const key of Object.keys(current)) {
        if (isRoot && skipKeys.has(key)) continue;
        const keyReason = checkStrings ? unstorableStringReason(key) : undefined;
        if (keyReason)
          return { path: describePath([...path, key]), reason: `the key ${keyReason}` };
        const child = (current as Record<string, unknown>)[key];
        // JSON drops undefined fields; that is the usual, expected behaviour.
        if (child === undefined) continue;
        path.push(key);
        const problem = visit(child, false);
        path.pop();
        if (problem) return problem;
      }
      return undefined;
    } finally {
      ancestors.delete(current);
    }
  };

  const problem = visit(value, true);
  return problem ? { datePaths, problem } : { datePaths };
}

/** Deeper than this, {@link isPlainJson} leaves the value (and any cycle) to {@link prepareJson}. */
const PLAIN_JSON_MAX_DEPTH = 32;

/**
 * True when `value` is made only of JSON's own values (finite numbers,
 * strings, booleans, null, arrays without `undefined`, objects without
 * `toJSON`): no `Date` to record, nothing JSON would refuse or lose but
 * strings' contents (not checked here). A cheap first look, with no path nor
 * ancestors kept: anything else, deeper ones included, returns false and goes
 * through {@link prepareJson}, which decides.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= PLAIN_JSON_MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (!isPlainJson(value[index], depth + 1)) return false;
    }
    return true;
  }
  // A Date (whose toJSON makes it a string), any other toJSON, a Map or a Set: prepareJson decides.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (value instanceof Map || value instanceof Set) return false;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const child = record[key];
    // JSON drops undefined fields, as prepareJson allows.
    if (child !== undefined && !isPlainJson(child, depth + 1)) return false;
  }
  return true;
}

/** Turns the ISO strings at `datePaths` back into `Date`s, in place. */
export function reviveDates(value: unknown, datePaths: readonly JsonPath[]): void {
  for (const datePath of datePaths) {
    if (datePath.length === 0) continue;
    let parent: unknown = value;
    for (let index = 0; index < datePath.length - 1; index++) {
      if (parent === null || typeof parent !== 'object') break;
      parent = (parent as Record<string | number, unknown>)[datePath[index]];
    }
    if (parent === null || typeof parent !== 'object') continue;
    const key = datePath[datePath.length - 1];
    const raw = (parent as Record<string | number, unknown>)[key];
    if (typeof raw === 'string') {
      const date = new Date(raw);
      if (!Number.isNaN(date.getTime())) (parent as Record<string | number, unknown>)[key] = date;
    }
  }
}

/** True when `value` looks like a list of JSON paths (from stored metadata). */
export function isJsonPathList(value: unknown): value is JsonPath[] {
  return (
    Array.isArray(value) &&
    value.every(
      (path) =>
        Array.isArray(path) &&
        path.every((segment) => typeof segment === 'string' || typeof segment === 'number'),
    )
  );
}
