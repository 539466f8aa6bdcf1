import { SagaError } from './saga.error';

/** The saga storage could not be reached or refused a write. */
export class SagaStorageUnavailableError extends SagaError {
  static readonly code = 'saga-storage-unavailable';

  constructor(operation: string, options?: { cause?: unknown }) {
    const reason = (options?.cause as { message?: string } | undefined)?.message ?? 'unknown';
    super(
      SagaStorageUnavailableError.code,
      `Saga storage failed to ${operation}: ${reason}`,
      options,
    );
  }
}
