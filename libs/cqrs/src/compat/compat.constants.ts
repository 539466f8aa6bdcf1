/** Metadata key: the command class of a compat `@CommandHandler` (its id, for `bind`). */
export const COMPAT_COMMAND_METADATA = 'cello:cqrs-compat:command';
/** Metadata key: the query class of a compat `@QueryHandler` (its id, for `bind`). */
export const COMPAT_QUERY_METADATA = 'cello:cqrs-compat:query';
/** Metadata key: the id stamped on an event class by `@EventsHandler`. */
export const COMPAT_EVENT_METADATA = 'cello:cqrs-compat:event';
/** Metadata key: the event classes an `@EventsHandler` handles. */
export const COMPAT_EVENTS_HANDLER_METADATA = 'cello:cqrs-compat:events-handler';
/** Metadata key: the property names of a class's `@Saga()` streams. */
export const COMPAT_SAGA_METADATA = 'cello:cqrs-compat:saga';
/** Injection token of the compat module's (@nestjs/cqrs-shaped) options. */
export const COMPAT_CQRS_MODULE_OPTIONS = 'CELLO_CQRS_COMPAT_MODULE_OPTIONS';
