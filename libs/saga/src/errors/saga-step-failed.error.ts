import { SagaError } from './saga.error';

/** A step failed after its retries (or without retry); the saga was compensated. */
export class SagaStepFailedError extends SagaError {
  static readonly code = 'saga-step-failed';

  constructor(
    readonly sagaName: string,
    readonly sagaId: string,
    readonly stepName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      SagaStepFailedError.code,
      `Saga "${sagaName}" (${sagaId}) failed at step "${stepName}": ${reason}`,
      options,
    );
  }
}
