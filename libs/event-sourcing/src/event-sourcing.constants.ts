/** Injection token of the resolved `EventSourcingModuleOptions`. */
export const EVENT_SOURCING_OPTIONS = Symbol('cello:event-sourcing-options');

/** Injection token of the `EventStorage` backend chosen by the `storage` option. */
export const EVENT_STORAGE = Symbol('cello:event-storage');

/** The token of the resolved `EventSourcingModuleOptions`, for `inject` and `@Inject`. */
export function getEventSourcingOptionsToken(): typeof EVENT_SOURCING_OPTIONS {
  return EVENT_SOURCING_OPTIONS;
}

/** The token of the `EventStorage` backend, for `inject` and `@Inject` (or `@InjectEventStorage()`). */
export function getEventStorageToken(): typeof EVENT_STORAGE {
  return EVENT_STORAGE;
}

/** Metadata key: the `@EventType` of an event class. */
export const EVENT_TYPE_METADATA = 'cello:event-type';

/** Metadata key: the `@EventHandler` methods of a class (aggregate or subscriber). */
export const EVENT_HANDLERS_METADATA = 'cello:event-handlers';

/** Metadata key: `@EventSubscriber` options of a subscriber class. */
export const EVENT_SUBSCRIBER_METADATA = 'cello:event-subscriber';
