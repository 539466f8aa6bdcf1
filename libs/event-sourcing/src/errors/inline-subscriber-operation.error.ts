import { EventSourcingError } from './event-sourcing.error';

/** An operation of asynchronous subscribers was asked of an inline one, which has no processor. */
export class InlineSubscriberOperationError extends EventSourcingError {
  static readonly code = 'inline-subscriber-operation';

  constructor(
    readonly subscriberName: string,
    readonly operation: string,
  ) {
    super(
      InlineSubscriberOperationError.code,
      `Subscriber "${subscriberName}" is inline: ${operation} does not apply, as it runs inside ` +
        'every append and has no checkpoint. Use SubscriptionManager.rebuild(name) to replay the ' +
        'whole log into it.',
    );
  }
}
