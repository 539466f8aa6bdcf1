import type { ICommand } from './interfaces/message.interfaces';
import type { RESULT_TYPE_SYMBOL } from './result-type';

/** A command class whose handler returns `T`: `commandBus.execute(cmd)` is typed `Promise<T>`. */
export class Command<T> implements ICommand {
  /** Phantom: records `T` for the type checker only (never set, never read). */
  declare readonly [RESULT_TYPE_SYMBOL]: T;
}

/** The result type a `Command<R>` declares. */
export type CommandResult<C extends Command<unknown>> = C extends Command<infer R> ? R : never;
