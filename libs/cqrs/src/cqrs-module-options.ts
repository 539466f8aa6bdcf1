import type { BusMiddlewareRef } from './middleware/bus-middleware';
import type { MessageClass } from './message/message-class';

/** Per-message-type settings, given in `@CommandHandler`/`@QueryHandler` or in module options. */
export interface MessageRouteOptions {
  /** Time limit in seconds for this message type; 0 for none. Default: the bus's limit. */
  readonly timeout?: number;
  /** Middleware for this message type only, run after the global middleware, in order. Default none. */
  readonly middleware?: readonly BusMiddlewareRef[];
  /** Validate this message type with class-validator before its handler runs. Default: the module's `validate`. */
  readonly validate?: boolean;
}

/** Module-level settings for one message type (these win over the handler decorator's). */
export interface MessageRouteConfig extends MessageRouteOptions {
  /** The command or query class these settings apply to. */
  readonly message: MessageClass;
}

/** Options of `CqrsModule.forRoot` (the seed's `CqrsConfig`). */
export interface CqrsModuleOptions {
  /** Command time limit in seconds; 0 for none. Default 30. */
  readonly commandTimeout?: number;
  /** Query time limit in seconds; 0 for none. Default 10. */
  readonly queryTimeout?: number;
  /**
   * Keep read models in sync with committed events (projections are the
   * event-sourcing module's `@EventHandler` subscribers) and let queries wait
   * for a position (`waitForPosition`). Needs `EventSourcingModule`. Default false.
   */
  readonly enableEventSync?: boolean;
  /**
   * Validate commands and queries with class-validator before they run.
   * Default: true when `class-validator` is installed, else false. `true`
   * without it fails at start-up with `MissingPeerDependencyError`.
   */
  readonly validate?: boolean;
  /** Middleware run around every command and query handler, outermost first. Default none. */
  readonly middleware?: readonly BusMiddlewareRef[];
  /** Middleware around every command handler only, after `middleware`. Default none. */
  readonly commandMiddleware?: readonly BusMiddlewareRef[];
  /** Middleware around every query handler only, after `middleware`. Default none. */
  readonly queryMiddleware?: readonly BusMiddlewareRef[];
  /** Per-message-type timeouts, middleware and validation. Default none. */
  readonly messages?: readonly MessageRouteConfig[];
}

/** A class that creates the module's options, for `forRootAsync({ useClass | useExisting })`. */
export interface CqrsOptionsFactory {
  /** The module options. */
  createCqrsOptions(): CqrsModuleOptions | Promise<CqrsModuleOptions>;
}
