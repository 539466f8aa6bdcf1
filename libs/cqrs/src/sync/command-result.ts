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
 * Pairs a handler's result with the position it wrote, given as a number or
 * as the `AppendResult` of `EventStore.append`/`save`:
 * `return withPosition(order.id, await eventStore.save(order))`, in a command
 * declared as `Command<CommandResult<string>>`.
 */
export function withPosition<T>(
  result: T,
  written: number | { readonly positions: readonly number[] } | undefined,
): CommandResult<T> {
  const position =
    typeof written === 'number' ? written : (written?.positions[written.positions.length - 1] ?? 0);
  return { result, position };
}
