import { SagaError } from './saga.error';

/** A saga context must be a plain JSON object: it is persisted after every step. */
export class InvalidSagaContextError extends SagaError {
  static readonly code = 'saga-invalid-context';

  constructor(
    readonly sagaName: string,
    problem: string,
  ) {
    super(InvalidSagaContextError.code, `Context of saga "${sagaName}" ${problem}`);
  }
}
