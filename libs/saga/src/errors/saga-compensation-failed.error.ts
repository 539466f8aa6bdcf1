import { SagaError } from './saga.error';

/**
 * A compensation kept failing after its retries: the saga is left in
 * `compensation_failed` until `SagaRunner.retryCompensation(sagaId)` succeeds.
 */
export class SagaCompensationFailedError extends SagaError {
  static readonly code = 'saga-compensation-failed';

  constructor(
    readonly sagaName: string,
    readonly sagaId: string,
    readonly stepName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      SagaCompensationFailedError.code,
      `Saga "${sagaName}" (${sagaId}) could not compensate step "${stepName}": ${reason}. ` +
        'Fix the cause, then call SagaRunner.retryCompensation(sagaId).',
      options,
    );
  }
}
