import {
  findUnstorableJsonValue,
  formatJsonValuePath,
  unstorableStringReason,
} from '@cello/core/internal';
import { InvalidAppendError } from '../errors/invalid-append.error';
import type { EventToAppend } from './event-storage';

/**
 * Why an event's JSON text cannot be stored alike by every backend, or
 * undefined: a NUL or a lone surrogate, raw or as a `\u` escape (PostgreSQL's
 * jsonb refuses both, MariaDB would keep a NUL). `JSON.stringify` emits `\u`
 * escapes only for control characters and lone surrogates, so the exact (and
 * slower) check runs only on text that holds one.
 */
export function unstorablePayloadReason(text: string): string | undefined {
  if (!text.includes('\\u')) {
    const reason = unstorableStringReason(text);
    return reason && `its JSON text ${reason}`;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON at all: the backend refuses it with its own message.
    return undefined;
  }
  const problem = findUnstorableJsonValue(value);
  return problem && `${formatJsonValuePath('$', problem.path)} ${problem.reason}`;
}

/** Refuses an event whose data or metadata not every backend would store as given. */
export function checkPayload(streamId: string, where: string, event: EventToAppend): void {
  const dataReason = unstorablePayloadReason(event.data);
  if (dataReason) throw new InvalidAppendError(streamId, `${where} data: ${dataReason}`);
  const metadataReason = unstorablePayloadReason(event.metadata);
  if (metadataReason)
    throw new InvalidAppendError(streamId, `${where} metadata: ${metadataReason}`);
}
