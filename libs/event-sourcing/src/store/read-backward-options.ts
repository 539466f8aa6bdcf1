import { EventSourcingError } from '../errors/event-sourcing.error';
import type { ReadBackwardOptions } from './event-storage';

/** `ReadBackwardOptions` checked and with defaults, the same for every backend. */
export interface CheckedReadBackwardOptions {
  readonly toPosition: number;
  readonly fromPosition: number;
  readonly types: readonly string[] | undefined;
  readonly correlationId: string | undefined;
  readonly limit: number;
}

/** Refuses malformed options before any backend builds a query from them. */
export function checkReadBackwardOptions(options: ReadBackwardOptions): CheckedReadBackwardOptions {
  const whole = (name: string, value: unknown): number => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    throw new EventSourcingError(
      'invalid-read-options',
      `Read option ${name} is ${String(value)}; it must be a whole number >= 0.`,
    );
  };
  const types = options.types;
  if (types !== undefined && (!Array.isArray(types) || types.some((t) => typeof t !== 'string'))) {
    throw new EventSourcingError(
      'invalid-read-options',
      'Read option types must be a list of event type names.',
    );
  }
  const correlationId = options.correlationId;
  if (correlationId !== undefined && typeof correlationId !== 'string') {
    throw new EventSourcingError(
      'invalid-read-options',
      `Read option correlationId is ${String(correlationId)}; it must be a string.`,
    );
  }
  return {
    correlationId,
    toPosition: whole('toPosition', options.toPosition),
    fromPosition: Math.max(1, whole('fromPosition', options.fromPosition ?? 1)),
    types,
    limit: whole('limit', options.limit),
  };
}
