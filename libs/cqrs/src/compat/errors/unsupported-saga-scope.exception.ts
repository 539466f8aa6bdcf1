import { CqrsError } from '../../errors/cqrs.error';

/** @nestjs/cqrs's error: a class with @Saga() streams is request-scoped or transient. */
export class UnsupportedSagaScopeException extends CqrsError {
  static readonly code = 'unsupported-saga-scope';

  constructor(detail?: string) {
    super(
      UnsupportedSagaScopeException.code,
      `${detail ?? 'A class with @Saga() streams is request-scoped or transient'}. Sagas are started once at boot: keep the class (and what it injects) singleton.`,
    );
  }
}
