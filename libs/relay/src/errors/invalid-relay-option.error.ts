import { RelayError } from './relay.error';

/** A `RelayModule` or `RelayConsumerModule` option is missing or out of range. */
export class InvalidRelayOptionError extends RelayError {
  static readonly code = 'invalid-relay-option';

  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(InvalidRelayOptionError.code, `invalid relay option \`${option}\`: ${reason}`);
  }
}
