import { InvalidRelayOptionError } from '../errors/invalid-relay-option.error';

/** Metadata key: the `@IntegrationEventHandler` methods of a class. */
export const INTEGRATION_EVENT_HANDLERS_METADATA = 'cello:integration-event-handlers';

/** One `@IntegrationEventHandler` method and the event types it takes. */
export interface IntegrationEventHandlerBinding {
  readonly types: readonly string[];
  readonly methodName: string | symbol;
}

/**
 * Makes a provider method handle relayed events of the given types (the
 * publishing app's `@EventType` names). It is called as
 * `handler(event: IntegrationEvent, tx: PoolClient)`, inside the transaction that
 * records the event in the inbox: do the work with `tx`, so that both commit
 * together and the event is handled once.
 */
export function IntegrationEventHandler(...types: string[]): MethodDecorator {
  if (types.length === 0 || types.some((type) => typeof type !== 'string' || type === '')) {
    throw new InvalidRelayOptionError(
      '@IntegrationEventHandler',
      "name at least one event type, as strings (the publisher's @EventType names)",
    );
  }
  return (target, methodName, descriptor) => {
    if (typeof descriptor?.value !== 'function') {
      throw new InvalidRelayOptionError(
        '@IntegrationEventHandler',
        `${String(methodName)} is not a method`,
      );
    }
    const ctor = target.constructor;
    Reflect.defineMetadata(
      INTEGRATION_EVENT_HANDLERS_METADATA,
      [...getIntegrationEventHandlerBindings(ctor), { types, methodName }],
      ctor,
    );
  };
}

/** The `@IntegrationEventHandler` methods of `target`. */
export function getIntegrationEventHandlerBindings(
  target: object,
): readonly IntegrationEventHandlerBinding[] {
  return (
    (Reflect.getMetadata(INTEGRATION_EVENT_HANDLERS_METADATA, target) as
      IntegrationEventHandlerBinding[] | undefined) ?? []
  );
}
