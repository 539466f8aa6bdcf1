import { InvalidReadOptionsError } from '../errors/invalid-read-options.error';

/**
 * A read option as given, or `fallback` when it is left out. Anything but a
 * safe whole number >= `minimum` is refused, so every backend reads the same
 * way: the memory log would refuse it, SQL backends would clamp it or hand it
 * to the driver as it is.
 */
export function readOption(
  name: string,
  value: number | undefined,
  fallback: number,
  minimum = 0,
): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum) return value;
  throw new InvalidReadOptionsError(name, value, minimum);
}
