/**
 * Loads a module when a subject runs rather than when the catalogue loads, so
 * that a library which does not load (yet) fails only its own subjects.
 * Relative paths must be absolute (`path.join(__dirname, ...)`).
 */
export function lazyRequire<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}
