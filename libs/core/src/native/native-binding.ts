/**
 * The only module that loads the Rust binding. Libraries import the binding
 * from here, never from `native/` directly, so that loading and error
 * mapping happen in one place.
 */
import type * as binding from '@cello/native';
import { NativeBindingUnavailableError } from '../errors/native-binding-unavailable.error';
import { NativeError } from '../errors/native-error';
import { nativePlatform } from './native-platform';

/** The loaded napi-rs binding of `@cello/native` (internal to the Cello packages). */
export type NativeBinding = typeof binding;

/**
 * Loads the binding through `load` (by default `require('@cello/native')`, napi-rs's
 * loader, which finds a local build or the platform package). A failure becomes a
 * {@link NativeBindingUnavailableError} naming the platform and how to build for it.
 */
export function loadNativeBinding(
  // A require, not a static import: only a require's failure can be caught here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  load: () => NativeBinding = () => require('@cello/native') as NativeBinding,
): NativeBinding {
  try {
    return load();
  } catch (error) {
    throw new NativeBindingUnavailableError(nativePlatform(), { cause: error });
  }
}

/** The loaded binding (`native/index.js` and its `.node`, or the platform package). */
export const native: NativeBinding = loadNativeBinding();

const CODED_MESSAGE = /^\[([a-z0-9-]+)\] ([\s\S]*)$/;

/**
 * Splits an error thrown by the binding into its code and message.
 * Errors without a code (a panic, a type mismatch) get `native-failure`.
 */
export function toNativeError(error: unknown): NativeError {
  if (error instanceof NativeError) return error;
  // Not `instanceof Error`: errors made by the addon may come from another realm (jest's vm).
  const raw = (error as { message?: unknown } | null)?.message;
  const message = typeof raw === 'string' ? raw : String(error);
  const match = CODED_MESSAGE.exec(message);
  return match
    ? new NativeError(match[1], match[2], { cause: error })
    : new NativeError('native-failure', message, { cause: error });
}

/** Runs `call` and rethrows any binding error as a {@link NativeError}. */
export function callNative<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw toNativeError(error);
  }
}
