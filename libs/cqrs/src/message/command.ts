/** Type-only key that carries a command's result type; nothing is stored at run time. */
declare const commandResult: unique symbol;

/**
 * Base class of commands (write operations). `TResult` is what the handler
 * returns, so `commandBus.dispatch(new CreateOrderCommand(...))` is typed as
 * that result without a cast.
 *
 * ```ts
 * class CreateOrderCommand extends Command<string> {
 *   constructor(readonly customerId: string) { super(); }
 * }
 * ```
 */
export abstract class Command<TResult = void> {
  /** Phantom: records `TResult` for the type checker only (never set, never read). */
  declare readonly [commandResult]: TResult;
}

/** The result type a command class declares through `Command<TResult>`. */
export type CommandResultOf<C> = C extends Command<infer R> ? R : never;
