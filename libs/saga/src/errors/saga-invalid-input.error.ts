import { SagaError } from './saga.error';

/**
 * The saga storage refused a write's values (PostgreSQL SQLSTATE class 22 or
 * 23, MySQL's invalid JSON or text...): the caller's input is at fault, not
 * the database, so the write is never retried and never reported as an outage.
 */
export class SagaInvalidInputError extends SagaError {
  static readonly code = 'saga-invalid-input';

  constructor(
    /** The saga whose write was refused, when one write is at fault. */
    readonly sagaId: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      SagaInvalidInputError.code,
      `Saga storage refused the write${sagaId === undefined ? '' : ` of saga ${sagaId}`}, nothing was written: ${reason}`,
      options,
    );
  }
}
