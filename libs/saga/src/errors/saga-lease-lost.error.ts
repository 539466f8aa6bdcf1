import { SagaError } from './saga.error';

/**
 * Another instance took this saga over (our lease expired): a fenced write
 * was refused, and this instance stopped driving the saga.
 */
export class SagaLeaseLostError extends SagaError {
  static readonly code = 'saga-lease-lost';

  constructor(
    readonly sagaId: string,
    readonly fencingToken: number,
  ) {
    super(
      SagaLeaseLostError.code,
      `Saga "${sagaId}" was taken over by another instance (our fencing token ${fencingToken} ` +
        'is stale); this instance stopped driving it. Raise `leaseTtl` if steps block the event loop.',
    );
  }
}
