import { EventSourcingError } from './event-sourcing.error';

/** Upcasters registered at start-up do not form a complete, unambiguous chain. */
export class InvalidUpcasterConfigurationError extends EventSourcingError {
  static readonly code = 'invalid-upcaster-configuration';

  constructor(
    readonly eventType: string,
    detail: string,
  ) {
    super(InvalidUpcasterConfigurationError.code, `Upcasters of "${eventType}": ${detail}`);
  }
}
