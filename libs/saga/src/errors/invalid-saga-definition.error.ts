import { SagaError } from './saga.error';

/** A saga class cannot run as declared (no steps, a step without action, a missing method...). */
export class InvalidSagaDefinitionError extends SagaError {
  static readonly code = 'saga-invalid-definition';

  constructor(
    readonly sagaName: string,
    problem: string,
  ) {
    super(InvalidSagaDefinitionError.code, `Saga "${sagaName}" is not valid: ${problem}`);
  }
}
