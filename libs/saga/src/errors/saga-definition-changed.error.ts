import { SagaError } from './saga.error';

/**
 * A saga was started by a version of the app whose steps differ from this
 * version's: its stored progress counts steps by position, so driving it with
 * the new steps would run or undo the wrong ones.
 */
export class SagaDefinitionChangedError extends SagaError {
  static readonly code = 'saga-definition-changed';

  constructor(
    readonly sagaId: string,
    readonly sagaName: string,
    readonly storedSteps: readonly string[],
    readonly currentSteps: readonly string[],
  ) {
    super(
      SagaDefinitionChangedError.code,
      `Saga ${sagaId} (${sagaName}) was started with the steps [${storedSteps.join(', ')}], but this ` +
        `version of the app defines [${currentSteps.join(', ')}]. It is left as it is, for an instance ` +
        'running the version it started with. Keep a changed saga under a new name (or keep its old ' +
        'steps) until the sagas of the old definition have finished.',
    );
  }
}
