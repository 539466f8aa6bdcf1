import { SagaError } from './saga.error';

/** The saga (or one of its steps) ran out of time; completed steps were compensated. */
export class SagaTimeoutError extends SagaError {
  static readonly code = 'saga-timeout';

  constructor(
    readonly sagaName: string,
    readonly sagaId: string,
    readonly stepName: string | undefined,
    reason: string,
  ) {
    super(
      SagaTimeoutError.code,
      `Saga "${sagaName}" (${sagaId}) timed out${stepName ? ` at step "${stepName}"` : ''}: ${reason}. ` +
        'Raise `timeout` (saga) or the step `timeout` if the work needs longer.',
    );
  }
}
