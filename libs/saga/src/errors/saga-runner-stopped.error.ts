import { SagaError } from './saga.error';

/** The application shut down while the saga ran; it stays unfinished and is recovered on the next start. */
export class SagaRunnerStoppedError extends SagaError {
  static readonly code = 'saga-runner-stopped';

  constructor(readonly sagaId: string) {
    super(
      SagaRunnerStoppedError.code,
      `Saga "${sagaId}" was interrupted by shutdown; an instance will recover it when its lease expires.`,
    );
  }
}
