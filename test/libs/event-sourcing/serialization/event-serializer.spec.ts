import 'reflect-metadata';
import { isCelloError } from '@cello/core';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { EventSerializationError } from '@cello/event-sourcing/errors/event-serialization.error';
import { EventTooLargeError } from '@cello/event-sourcing/errors/event-too-large.error';
import { UnknownEventTypeError } from '@cello/event-sourcing/errors/unknown-event-type.error';
import { UpcastingError } from '@cello/event-sourcing/errors/upcasting.error';
import { Event } from '@cello/event-sourcing/event/event';
import { EventRegistry } from '@cello/event-sourcing/event/event-registry';
import type { StoredEvent } from '@cello/event-sourcing/store/event-storage';
import { OrderCreated } from '../__fixtures__/order.fixture';
import {
  DATE_PATHS_METADATA_KEY,
  EventSerializer,
} from '@cello/event-sourcing/serialization/event-serializer';

@EventType('Timeline')
class Timeline extends Event {
  startedAt = new Date('2026-01-02T03:04:05.678Z');
  steps: { name: string; at: Date; notes: { at: Date }[] }[] = [
    { name: 'a', at: new Date('2026-02-01T00:00:00.001Z'), notes: [{ at: new Date(0) }] },
  ];
  label = 'x';
}

@EventType('PriceChanged', { schemaVersion: 3 })
class PriceChanged extends Event {
  amountCents = 0;
  currency = 'EUR';
}

class Unregistered extends Event {}

function storedFrom(
  row: { type: string; schemaVersion: number; data: string; metadata: string; eventId: string },
  overrides: Partial<StoredEvent> = {},
): StoredEvent {
  return {
    position: 7,
    streamId: 's-1',
    version: 3,
    eventId: row.eventId,
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    recordedAt: new Date(),
    ...overrides,
  };
}

function setup(maxEventBytes?: number) {
  const registry = new EventRegistry();
  registry.registerFeature({ events: [Timeline, OrderCreated, PriceChanged] });
  return { registry, serializer: new EventSerializer(registry, { maxEventBytes }) };
}

describe('EventSerializer', () => {
  describe('when an event is written and read back', () => {
    it('should give an instance of the registered class with the same fields and id', () => {
      // Given
      const { serializer } = setup();
      const event = new OrderCreated('o-1', 'c-1', [{ sku: 'A', quantity: 2 }]);
      // When
      const row = serializer.serialize(event, { correlationId: 'corr-1' });
      const recorded = serializer.deserialize<OrderCreated>(storedFrom(row));
      // Then
      expect(row.type).toBe('OrderCreated');
      expect(JSON.parse(row.data)).not.toHaveProperty('eventId');
      expect(recorded.event).toBeInstanceOf(OrderCreated);
      expect(recorded.event).toBeInstanceOf(Event);
      expect(recorded.event.eventId).toBe(event.eventId);
      expect(recorded.event.items).toEqual([{ sku: 'A', quantity: 2 }]);
      expect(recorded.event.streamId).toBe('o-1');
      expect(recorded.metadata).toEqual({ correlationId: 'corr-1' });
    });

    it('should restore Date fields exactly, nested in objects and arrays too', () => {
      // Given
      const { serializer } = setup();
      const event = new Timeline();
      // When
      const row = serializer.serialize(event);
      const { event: read } = serializer.deserialize<Timeline>(storedFrom(row));
      // Then
      expect(read.startedAt).toBeInstanceOf(Date);
      expect(read.startedAt.getTime()).toBe(event.startedAt.getTime());
      expect(read.steps[0].at).toBeInstanceOf(Date);
      expect(read.steps[0].at.toISOString()).toBe('2026-02-01T00:00:00.001Z');
      expect(read.steps[0].notes[0].at.getTime()).toBe(0);
      expect(read.label).toBe('x');
      expect(JSON.parse(row.metadata)[DATE_PATHS_METADATA_KEY]).toHaveLength(3);
    });

    it('should restore a Date nested deeper than the quick plain-JSON look goes', () => {
      // Given: a Date under 40 levels of objects
      const { serializer } = setup();
      const leaf: Record<string, unknown> = { at: new Date('2026-03-04T05:06:07.089Z') };
      let deep: Record<string, unknown> = leaf;
      for (let level = 0; level < 40; level++) deep = { next: deep };
      const event = Object.assign(new PriceChanged(), { deep });
      // When
      const row = serializer.serialize(event);
      const back = serializer.deserialize<PriceChanged & { deep: Record<string, unknown> }>(
        storedFrom(row),
      ).event;
      // Then
      let node = back.deep;
      for (let level = 0; level < 40; level++) node = node.next as Record<string, unknown>;
      expect(node.at).toEqual(new Date('2026-03-04T05:06:07.089Z'));
      expect(node.at).toBeInstanceOf(Date);
    });

    it('should not call the class constructor', () => {
      // Given
      const { serializer } = setup();
      const row = serializer.serialize(new Timeline());
      const stored = storedFrom(row);
      (stored.data as Record<string, unknown>).label = 'stored';
      // When
      const { event } = serializer.deserialize<Timeline>(stored);
      // Then: the constructor's default would have been 'x'
      expect(event.label).toBe('stored');
    });
  });

  describe('when an event cannot be stored as JSON', () => {
    it.each([
      ['a BigInt', { amount: 10n }, 'amount', /BigInt/],
      ['a function', { nested: { run: () => 1 } }, 'nested.run', /functions/],
      ['a Map', { byId: new Map() }, 'byId', /Map/],
      ['an invalid Date', { at: new Date('nope') }, 'at', /invalid Date/],
      ['NaN', { ratio: NaN }, 'ratio', /NaN/],
      // PostgreSQL's jsonb refuses these two; every backend must refuse them alike.
      ['a lone surrogate', { customer: { name: '\ud800x' } }, 'customer.name', /lone UTF-16/],
      ['a NUL character', { notes: ['ok', 'a\u0000b'] }, 'notes.1', /NUL/],
      ['a NUL in a key', { tags: { 'k\u0000': 1 } }, 'tags.k\u0000', /key holds a NUL/],
      ['undefined in an array', { list: [1, undefined] }, 'list.1', /undefined/],
    ])(
      'should throw EventSerializationError naming the field for %s',
      (_, fields, field, reason) => {
        // Given
        const { serializer } = setup();
        const event = Object.assign(new Timeline(), fields);
        // When
        const error = catchError(() => serializer.serialize(event));
        // Then
        expect(error).toBeInstanceOf(EventSerializationError);
        expect(error).toMatchObject({
          eventType: 'Timeline',
          field,
          code: 'event-serialization-failed',
        });
        expect((error as Error).message).toMatch(reason);
      },
    );

    it('should name the first problem in field order when a bad string comes before a BigInt', () => {
      // Given: strings are checked on the JSON text, other values on the walk
      const { serializer } = setup();
      const event = Object.assign(new Timeline(), { a: { name: 'x\u0000' }, b: 1n });
      // When
      const error = catchError(() => serializer.serialize(event));
      // Then
      expect(error).toMatchObject({ field: 'a.name', code: 'event-serialization-failed' });
      expect((error as Error).message).toMatch(/NUL/);
    });

    it('should name a lone surrogate in a key', () => {
      const { serializer } = setup();
      const event = Object.assign(new Timeline(), { tags: { ['k\udc00']: 1 } });
      const error = catchError(() => serializer.serialize(event));
      expect(error).toMatchObject({ field: 'tags.k\udc00' });
      expect((error as Error).message).toMatch(/key holds a lone UTF-16/);
    });

    it('should store text that only looks like an escape (a backslash then u) and emoji', () => {
      // Given
      const { serializer } = setup();
      const event = Object.assign(new Timeline(), {
        path: 'C:\\users\\u0000',
        smile: '\ud83d\ude00',
      });
      // When
      const row = serializer.serialize(event);
      const back = serializer.deserialize<Timeline & { path: string; smile: string }>(
        storedFrom(row),
      ).event;
      // Then
      expect(back.path).toBe('C:\\users\\u0000');
      expect(back.smile).toBe('\u{1F600}');
      expect(back.startedAt).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    });

    it('should name a circular reference', () => {
      // Given
      const { serializer } = setup();
      const node: Record<string, unknown> = { name: 'n' };
      node.self = node;
      const event = Object.assign(new Timeline(), { graph: node });
      // When
      const error = catchError(() => serializer.serialize(event));
      // Then
      expect(error).toMatchObject({ field: 'graph.self' });
      expect((error as Error).message).toMatch(/circular/);
    });

    it('should refuse an event class without @EventType', () => {
      const { serializer } = setup();
      const error = catchError(() => serializer.serialize(new Unregistered()));
      expect(isCelloError(error, 'missing-event-type')).toBe(true);
      expect((error as Error).message).toMatch(/@EventType\('Unregistered'\)/);
    });
  });

  describe('when a payload is over maxEventBytes', () => {
    it('should throw EventTooLargeError with the size and the limit', () => {
      // Given
      const { serializer } = setup(100);
      const event = Object.assign(new Timeline(), { label: 'x'.repeat(200) });
      // When
      const error = catchError(() => serializer.serialize(event));
      // Then
      expect(error).toBeInstanceOf(EventTooLargeError);
      expect(error).toMatchObject({ eventType: 'Timeline', limit: 100, code: 'event-too-large' });
      expect((error as EventTooLargeError).bytes).toBeGreaterThan(200);
    });
  });

  describe('when a stored type has no registered class', () => {
    it('should throw UnknownEventTypeError naming the stream and position', () => {
      // Given
      const { serializer } = setup();
      const stored = storedFrom(serializer.serialize(new Timeline()), { type: 'Vanished' });
      // When
      const error = catchError(() => serializer.deserialize(stored));
      // Then
      expect(error).toBeInstanceOf(UnknownEventTypeError);
      expect(error).toMatchObject({
        eventType: 'Vanished',
        streamId: 's-1',
        version: 3,
        position: 7,
      });
      expect((error as Error).message).toMatch(/stream "s-1" version 3 \(position 7\)/);
    });
  });

  describe('when a stored payload is not valid JSON', () => {
    it('should throw EventSerializationError naming the stream', () => {
      const { serializer } = setup();
      const stored = storedFrom(serializer.serialize(new Timeline()), { data: '{oops' });
      const error = catchError(() => serializer.deserialize(stored));
      expect(error).toBeInstanceOf(EventSerializationError);
      expect((error as Error).message).toMatch(/stream "s-1" version 3 is not valid JSON/);
    });
  });

  describe('when a stored payload has a "__proto__" key', () => {
    it('should keep it a plain field, not the prototype of the event', () => {
      // Given a payload written by something else than this serializer
      const { serializer } = setup();
      const stored = storedFrom(serializer.serialize(new Timeline()), {
        data: JSON.parse('{"label": "y", "__proto__": {"isAdmin": true}}'),
      });
      // When
      const event = serializer.deserialize(stored).event as Timeline & { isAdmin?: boolean };
      // Then
      expect(event).toBeInstanceOf(Timeline);
      expect(event.label).toBe('y');
      expect(event.isAdmin).toBeUndefined();
      expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).toEqual({ isAdmin: true });
      expect(({} as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    });
  });

  describe('when an event of an older schema version is read', () => {
    function oldRow(schemaVersion: number, data: object): StoredEvent {
      return storedFrom({
        eventId: 'e-1',
        type: 'PriceChanged',
        schemaVersion,
        data: JSON.stringify(data),
        metadata: '{}',
      });
    }

    it('should run the upcasters in a chain v1 -> v2 -> v3', () => {
      // Given: v1 had { price: "12.50" }, v2 { amountCents }, v3 adds currency
      const { registry, serializer } = setup();
      registry.registerUpcaster({
        type: PriceChanged,
        fromVersion: 1,
        upcast: (data: { price: string }) => ({
          amountCents: Math.round(Number(data.price) * 100),
        }),
      });
      registry.registerUpcaster({
        type: 'PriceChanged',
        fromVersion: 2,
        upcast: (data: { amountCents: number }) => ({ ...data, currency: 'USD' }),
      });
      registry.validate();
      // When
      const fromV1 = serializer.deserialize<PriceChanged>(oldRow(1, { price: '12.50' })).event;
      const fromV2 = serializer.deserialize<PriceChanged>(oldRow(2, { amountCents: 5 })).event;
      // Then
      expect(fromV1).toBeInstanceOf(PriceChanged);
      expect({ ...fromV1 }).toEqual({ eventId: 'e-1', amountCents: 1250, currency: 'USD' });
      expect({ ...fromV2 }).toEqual({ eventId: 'e-1', amountCents: 5, currency: 'USD' });
    });

    it('should throw UpcastingError naming the step, stream and position when an upcaster throws', () => {
      // Given
      const { registry, serializer } = setup();
      registry.registerUpcaster({ type: PriceChanged, fromVersion: 1, upcast: (data) => data });
      registry.registerUpcaster({
        type: PriceChanged,
        fromVersion: 2,
        upcast: () => {
          throw new Error('bad cents');
        },
      });
      // When
      const error = catchError(() => serializer.deserialize(oldRow(1, {})));
      // Then
      expect(error).toBeInstanceOf(UpcastingError);
      expect(error).toMatchObject({
        eventType: 'PriceChanged',
        fromVersion: 2,
        streamId: 's-1',
        position: 7,
      });
      expect((error as Error).message).toMatch(/bad cents/);
    });

    it('should throw UpcastingError when no upcaster covers the stored version', () => {
      const { serializer } = setup();
      const error = catchError(() => serializer.deserialize(oldRow(2, {})));
      expect(error).toBeInstanceOf(UpcastingError);
      expect((error as Error).message).toMatch(/no upcaster from version 2 to 3/);
    });

    it('should refuse an event stored by a newer schema than the class', () => {
      const { serializer } = setup();
      const error = catchError(() => serializer.deserialize(oldRow(4, {})));
      expect(error).toBeInstanceOf(UpcastingError);
      expect((error as Error).message).toMatch(/newer schema/);
    });
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
