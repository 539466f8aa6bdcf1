import { SagaError } from './saga.error';

/**
 * Another live process runs with the same `instanceId` (its heartbeat keeps
 * beating), so this one refuses to start: two processes under one identity
 * make logs, metrics and lease rows ambiguous.
 */
export class SagaInstanceIdInUseError extends SagaError {
  static readonly code = 'saga-instance-id-in-use';

  constructor(
    readonly instanceId: string,
    readonly otherIncarnation: string,
  ) {
    super(
      SagaInstanceIdInUseError.code,
      `SagaModule instanceId "${instanceId}" is in use by another live process (incarnation ` +
        `${otherIncarnation}, still beating). Give each process its own instanceId (or leave it ` +
        'unset for a unique default), or stop the other process first.',
    );
  }
}
