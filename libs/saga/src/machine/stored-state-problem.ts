import { callNative, native, toNativeError } from '@cello/core/internal';

/**
 * What is wrong with a saga state read from storage, or `undefined` when the
 * machine can resume it. The Rust core checks it (shape, step counts, indexes
 * in range, coherent statuses), as `SagaMachineHandle.fromStateJson` does.
 */
export function storedStateProblem(state: unknown): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(state);
  } catch (error) {
    return `it cannot be serialised: ${(error as Error).message}`;
  }
  if (json === undefined) return 'it is missing';
  try {
    callNative(() => native.sagaCheckState(json));
    return undefined;
  } catch (error) {
    return toNativeError(error).message;
  }
}
