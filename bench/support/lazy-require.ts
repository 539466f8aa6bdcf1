/**
 * Loads a module when a subject runs rather than when the catalogue loads, so
 * that a library which does not load (yet) fails only its own subjects.
 * Relative paths must be absolute (`path.join(__dirname, ...)`).
 */
export function lazyRequire<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

type CelloFixtures = typeof import('./cello-fixtures');

/** `cello-fixtures` (which loads `@cello/event-sourcing`), loaded when a Cello subject runs. */
export function celloFixtures(): CelloFixtures {
  return lazyRequire<CelloFixtures>(`${__dirname}/cello-fixtures`);
}
