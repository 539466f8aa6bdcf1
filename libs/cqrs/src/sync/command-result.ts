/**
 * A command's result together with the global position of the last event it
 * wrote, so the caller can query with `waitForPosition` and read its own write.
 */
export interface CommandResult<T> {
  /** What the handler produced (e.g. the new order's id). */
  readonly result: T;
  /** Global position of the last event the command appended. */
  readonly position: number;
}

/**
 * Pairs a handler's result with the position it wrote:
 * `return withPosition(orderId, appended.positions.at(-1)!)`, in a command
 * declared as `Command<CommandResult<string>>`.
 */
export function withPosition<T>(result: T, position: number): CommandResult<T> {
  return { result, position };
}
