import { SagaError } from './saga.error';

/**
 * A saga's stored state cannot be read (written by hand, by an older version
 * or by a bad migration). The saga is quarantined with status `corrupt` and
 * never claimed again; an operator fixes or removes the row.
 */
export class SagaCorruptError extends SagaError {
  static readonly code = 'saga-corrupt';

  constructor(
    readonly sagaId: string,
    readonly sagaName: string,
    /** What is wrong with the stored state. */
    readonly reason: string,
  ) {
    super(
      SagaCorruptError.code,
      `Saga ${sagaId} (${sagaName}) cannot be driven: its stored state is unreadable (${reason}). ` +
        'It is quarantined with status "corrupt" and never claimed again; fix or remove the row.',
    );
  }
}
