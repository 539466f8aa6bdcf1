import { SagaError } from './saga.error';

/** Two steps of one saga share a name: idempotency keys and recovery need unique names. */
export class DuplicateSagaStepError extends SagaError {
  static readonly code = 'saga-duplicate-step';

  constructor(
    readonly sagaName: string,
    readonly stepName: string,
  ) {
    super(
      DuplicateSagaStepError.code,
      `Saga "${sagaName}" declares step "${stepName}" twice. Give each step its own name.`,
    );
  }
}
