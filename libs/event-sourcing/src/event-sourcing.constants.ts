/** Injection token of the resolved `EventSourcingModuleOptions`. */
export const EVENT_SOURCING_OPTIONS = Symbol('cello:event-sourcing-options');

/** Injection token of the `EventStorage` backend chosen by the `storage` option. */
export const EVENT_STORAGE = Symbol('cello:event-storage');

/** Metadata key: the `@EventType` of an event class. */
export const EVENT_TYPE_METADATA = 'cello:event-type';

/** Metadata key: the `@EventHandler` methods of a class (aggregate or subscriber). */
export const EVENT_HANDLERS_METADATA = 'cello:event-handlers';

/** Metadata key: `@EventSubscriber` options of a subscriber class. */
export const EVENT_SUBSCRIBER_METADATA = 'cello:event-subscriber';
