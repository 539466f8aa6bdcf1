import { SagaInvalidInputError } from '../../errors/saga-invalid-input.error';
import { SagaStorageUnavailableError } from '../../errors/saga-storage-unavailable.error';
import type { SagaWrite } from '../saga-storage';

/**
 * A refused value (the backend's invalid-input check, from core) is the
 * caller's and never retried: `SagaInvalidInputError`. Anything else means the
 * database could not do it now: `SagaStorageUnavailableError`.
 */
export function toSagaStorageError(
  operation: string,
  error: unknown,
  sagaId: string | undefined,
  isInvalidInput: (error: unknown) => boolean,
): Error {
  if (isInvalidInput(error)) {
    return new SagaInvalidInputError(sagaId, (error as Error).message, { cause: error });
  }
  return new SagaStorageUnavailableError(operation, { cause: error });
}

/** The saga a batch of one is about, to name it in a refusal. */
export function soleId(items: readonly SagaWrite[]): string | undefined {
  return items.length === 1 ? items[0].id : undefined;
}
