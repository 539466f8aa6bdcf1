import { SagaError } from './saga.error';

/** No saga instance has this id. */
export class SagaNotFoundError extends SagaError {
  static readonly code = 'saga-not-found';

  constructor(readonly sagaId: string) {
    super(SagaNotFoundError.code, `No saga with id "${sagaId}" exists.`);
  }
}
