import { SagaError } from './saga.error';

/** A SagaModule option is wrong (unknown storage, a negative delay...). */
export class InvalidSagaOptionsError extends SagaError {
  static readonly code = 'saga-invalid-options';

  constructor(
    readonly option: string,
    problem: string,
  ) {
    super(InvalidSagaOptionsError.code, `SagaModule option "${option}" ${problem}`);
  }
}
