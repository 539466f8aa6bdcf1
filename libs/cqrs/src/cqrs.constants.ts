/** Metadata key: the command class a `@CommandHandler` handles, with its options. */
export const COMMAND_HANDLER_METADATA = 'cello:cqrs:command-handler';

/** Metadata key: the query class a `@QueryHandler` handles, with its options. */
export const QUERY_HANDLER_METADATA = 'cello:cqrs:query-handler';

/** Metadata key: middleware attached by `@UseBusMiddleware` to a message or handler class. */
export const BUS_MIDDLEWARE_METADATA = 'cello:cqrs:middleware';

/** Default command time limit, in seconds (the seed's `command_timeout`). */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 30;

/** Default query time limit, in seconds (the seed's `query_timeout`). */
export const DEFAULT_QUERY_TIMEOUT_SECONDS = 10;
