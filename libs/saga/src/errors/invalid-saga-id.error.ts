import { SagaError } from './saga.error';

/** A caller-chosen saga id that cannot be stored (empty, too long, or with a NUL). */
export class InvalidSagaIdError extends SagaError {
  static readonly code = 'saga-invalid-id';

  constructor(
    readonly sagaId: unknown,
    problem: string,
  ) {
    super(InvalidSagaIdError.code, `Saga id ${JSON.stringify(sagaId)} ${problem}`);
  }
}
