import { EventStoreUnavailableError } from '../../errors/event-store-unavailable.error';

/**
 * Turns an error `isUnavailable` calls an outage (connection lost, timeout)
 * into `EventStoreUnavailableError` naming what was being done; other errors pass.
 */
export function toUnavailableError(
  error: unknown,
  during: string,
  isUnavailable: (error: unknown) => boolean,
): unknown {
  if (error instanceof EventStoreUnavailableError || !isUnavailable(error)) return error;
  const detail = error instanceof Error ? error.message || error.name : String(error);
  return new EventStoreUnavailableError(`${during} failed: ${detail}`, { cause: error });
}
