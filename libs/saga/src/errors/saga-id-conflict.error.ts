import { SagaError } from './saga.error';

/** A caller-chosen saga id is already taken by a saga of another kind. */
export class SagaIdConflictError extends SagaError {
  static readonly code = 'saga-id-conflict';

  constructor(
    readonly sagaId: string,
    readonly existingSagaName: string,
    readonly requestedSagaName: string,
  ) {
    super(
      SagaIdConflictError.code,
      `Saga id "${sagaId}" belongs to a "${existingSagaName}" saga, so no "${requestedSagaName}" ` +
        'can start under it. Choose ids that include the saga kind (e.g. "fulfil-<order id>").',
    );
  }
}
