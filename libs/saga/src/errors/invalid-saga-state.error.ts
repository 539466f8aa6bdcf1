import { SagaError } from './saga.error';

/** An operation does not fit the saga's current status (e.g. retrying a compensation that did not fail). */
export class InvalidSagaStateError extends SagaError {
  static readonly code = 'saga-invalid-state';

  constructor(
    readonly sagaId: string,
    readonly status: string,
    operation: string,
  ) {
    super(InvalidSagaStateError.code, `Cannot ${operation} saga "${sagaId}": it is ${status}.`);
  }
}
