import { EventSourcingError } from './event-sourcing.error';

/** `reset`/`rebuild` was called while the module's `enableReplay` option is false. */
export class ReplayDisabledError extends EventSourcingError {
  static readonly code = 'replay-disabled';

  constructor(readonly subscriberName: string) {
    super(
      ReplayDisabledError.code,
      `Cannot reset or rebuild subscriber "${subscriberName}": replay is disabled. ` +
        'Set EventSourcingModule.forRoot({ enableReplay: true }) to allow it.',
    );
  }
}
