import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SOURCING_OPTIONS } from '../event-sourcing.constants';
import type { EventSourcingModuleOptions } from '../event-sourcing-module-options';
import { EventSerializationError } from '../errors/event-serialization.error';
import { EventTooLargeError } from '../errors/event-too-large.error';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error';
import { UpcastingError } from '../errors/upcasting.error';
import type { Event, EventClass } from '../event/event';
import { EventRegistry, type RegisteredEventType } from '../event/event-registry';
import type { RecordedEvent } from '../event/recorded-event';
import type { EventToAppend, ReplayedEvent, StoredEvent } from '../store/event-storage';
import {
  DATE_PATHS_METADATA_KEY,
  isJsonPathList,
  isPlainJson,
  prepareJson,
  reviveDates,
  type PreparedJson,
} from './date-paths';

export { DATE_PATHS_METADATA_KEY } from './date-paths';

/** Where a stored event is, for error messages. */
type StoredLocation = Pick<StoredEvent, 'type' | 'version' | 'position' | 'schemaVersion'>;

/** Default `maxEventBytes`: 1 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/** What prepareJson finds in an event made only of JSON's own values. */
const NO_DATES: PreparedJson = { datePaths: [] };

/** The event's own fields that are not payload. */
const NON_PAYLOAD_KEYS: ReadonlySet<string> = new Set(['eventId']);

/**
 * Turns events into JSON rows for the storage and rows back into instances of
 * their registered classes: `Date`s restored, older schema versions upcast.
 */
@Injectable()
export class EventSerializer {
  private readonly maxEventBytes: number;

  constructor(
    private readonly registry: EventRegistry,
    @Inject(EVENT_SOURCING_OPTIONS) options: EventSourcingModuleOptions,
  ) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  /** Serializes one event with the given append metadata. */
  serialize(event: Event, metadata: Record<string, unknown> = {}): EventToAppend {
    const registered = this.registry.typeOf(event.constructor as EventClass);
    // Strings are checked on the JSON text below, in one scan rather than one per string.
    const prepared = isPlainJson(event) ? NO_DATES : prepareJson(event, NON_PAYLOAD_KEYS, false);
    if (prepared.problem) this.throwIfUnstorable(registered.name, event);
    let data: string;
    let metadataText: string;
    try {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { eventId, ...payload } = event;
      data = JSON.stringify(payload);
      metadataText = JSON.stringify(
        prepared.datePaths.length > 0
          ? { ...metadata, [DATE_PATHS_METADATA_KEY]: prepared.datePaths }
          : metadata,
      );
    } catch (error) {
      throw new EventSerializationError(registered.name, '', (error as Error).message, {
        cause: error,
      });
    }
    // JSON.stringify writes a NUL or a lone surrogate (in a value or a key) only
    // as a `\u` escape: text without one needs no per-string check.
    if (data.includes('\\u')) this.throwIfUnstorable(registered.name, event);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most payloads need no count.
    if (data.length * 3 > this.maxEventBytes) {
      const bytes = Buffer.byteLength(data);
      if (bytes > this.maxEventBytes) {
        throw new EventTooLargeError(registered.name, bytes, this.maxEventBytes);
      }
    }
    return {
      eventId: event.eventId,
      type: registered.name,
      schemaVersion: registered.schemaVersion,
      data,
      metadata: metadataText,
    };
  }

  /**
   * Throws for the first value of `event` (in walk order, strings included)
   * that JSON cannot store; returns when there is none (a `\u` that is not
   * a NUL or a lone surrogate, or one inside an object's own `toJSON` form,
   * which the storage's own check then judges).
   */
  private throwIfUnstorable(eventType: string, event: Event): void {
    const { problem } = prepareJson(event, NON_PAYLOAD_KEYS);
    if (problem) throw new EventSerializationError(eventType, problem.path, problem.reason);
  }

  /** Turns a stored row into its event: class instance, current schema, `Date`s restored. */
  deserialize<E extends Event = Event>(stored: StoredEvent): RecordedEvent<E> {
    const { [DATE_PATHS_METADATA_KEY]: datePaths, ...metadata } = stored.metadata ?? {};
    const event = this.instantiate<E>(stored.streamId, stored, stored.data, datePaths);
    return {
      event,
      streamId: stored.streamId,
      version: stored.version,
      position: stored.position,
      eventId: stored.eventId,
      type: stored.type,
      metadata,
      recordedAt: stored.recordedAt,
    };
  }

  /**
   * Turns a replayed row of `streamId` into its event instance, as `deserialize`
   * does but without the envelope: what `EventStore.load` feeds an aggregate.
   */
  deserializeForReplay<E extends Event = Event>(streamId: string, replayed: ReplayedEvent): E {
    return this.instantiate<E>(streamId, replayed, replayed.data, replayed.datePaths);
  }

  /**
   * What `EventStore.load` turns the replayed rows of `streamId` into events
   * with: `deserializeForReplay`, the registered type looked up once per run
   * of rows of one type instead of once per row.
   */
  replayDeserializer<E extends Event = Event>(streamId: string): (replayed: ReplayedEvent) => E {
    let lastType: string | undefined;
    let registered: RegisteredEventType | undefined;
    return (replayed) => {
      if (replayed.type !== lastType) {
        registered = this.registry.findByName(replayed.type);
        lastType = replayed.type;
      }
      return this.instantiate<E>(streamId, replayed, replayed.data, replayed.datePaths, registered);
    };
  }

  private instantiate<E extends Event>(
    streamId: string,
    stored: StoredLocation & { readonly eventId: string },
    payload: unknown,
    datePaths: unknown,
    registered = this.registry.findByName(stored.type),
  ): E {
    if (!registered) {
      throw new UnknownEventTypeError(stored.type, streamId, stored.version, stored.position);
    }
    let data = payload;
    if (typeof data === 'string') data = this.parse(streamId, stored, data);
    if (datePaths != null && isJsonPathList(datePaths)) reviveDates(data, datePaths);
    if (stored.schemaVersion !== registered.schemaVersion) {
      data = this.upcast(streamId, stored, data, registered.schemaVersion);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new EventSerializationError(
        stored.type,
        '',
        `stored payload at stream "${streamId}" version ${stored.version} is not a JSON object (position ${stored.position})`,
      );
    }
    const prototype = registered.eventClass.prototype as object;
    const event = Object.create(prototype) as E;
    Object.assign(event, data);
    if (Object.prototype.hasOwnProperty.call(data, '__proto__')) {
      // Assigning a stored "__proto__" key swapped the instance's prototype: keep it a plain field.
      Object.setPrototypeOf(event, prototype);
      Object.defineProperty(event, '__proto__', {
        value: (data as Record<string, unknown>)['__proto__'],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    event.eventId = stored.eventId;
    return event;
  }

  private parse(streamId: string, stored: StoredLocation, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new EventSerializationError(
        stored.type,
        '',
        `stored payload at stream "${streamId}" version ${stored.version} is not valid JSON (position ${stored.position})`,
        { cause: error },
      );
    }
  }

  private upcast(
    streamId: string,
    stored: StoredLocation,
    data: unknown,
    currentVersion: number,
  ): unknown {
    if (stored.schemaVersion > currentVersion) {
      throw new UpcastingError(
        stored.type,
        stored.schemaVersion,
        streamId,
        stored.version,
        stored.position,
        `it was stored by a newer schema (${stored.schemaVersion}) than the class's ${currentVersion}; ` +
          'deploy the newer event class',
      );
    }
    for (let version = stored.schemaVersion; version < currentVersion; version++) {
      const upcaster = this.registry.upcasterOf(stored.type, version);
      if (!upcaster) {
        throw new UpcastingError(
          stored.type,
          version,
          streamId,
          stored.version,
          stored.position,
          `no upcaster from version ${version} to ${version + 1} is registered`,
        );
      }
      try {
        data = upcaster(data);
      } catch (error) {
        throw new UpcastingError(
          stored.type,
          version,
          streamId,
          stored.version,
          stored.position,
          `the upcaster threw: ${(error as Error)?.message ?? String(error)}`,
          { cause: error },
        );
      }
    }
    return data;
  }
}
