import { SagaError } from './saga.error';

/** A saga context must be a plain JSON object: it is persisted after every step. */
export class InvalidSagaContextError extends SagaError {
  static readonly code = 'saga-invalid-context';

  constructor(
    readonly sagaName: string,
    problem: string,
    /** Where the value that cannot be stored is, e.g. `context.customer.name`. */
    readonly path?: string,
  ) {
    super(
      InvalidSagaContextError.code,
      path === undefined
        ? `Context of saga "${sagaName}" ${problem}`
        : `Context of saga "${sagaName}" cannot be stored: ${path} ${problem}`,
    );
  }
}
