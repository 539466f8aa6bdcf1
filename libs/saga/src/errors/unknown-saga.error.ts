import { SagaError } from './saga.error';

/** A saga class (or stored saga name) that the module does not know. */
export class UnknownSagaError extends SagaError {
  static readonly code = 'saga-unknown';

  constructor(readonly sagaName: string) {
    super(
      UnknownSagaError.code,
      `Saga "${sagaName}" is not registered. Add its class to a module's providers ` +
        '(decorated with @Saga) or to SagaModule.forRoot({ sagas: [...] }).',
    );
  }
}
