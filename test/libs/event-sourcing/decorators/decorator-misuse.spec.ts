import 'reflect-metadata';
import { isCelloError } from '@cello/core';
import { Event } from '@cello/event-sourcing/event/event';
import { InvalidEventSourcingDecoratorError } from '@cello/event-sourcing/errors/invalid-event-sourcing-decorator.error';
import {
  AggregateRoot,
  getAggregateRootMetadata,
} from '@cello/event-sourcing/decorators/aggregate-root.decorator';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventHandler } from '@cello/event-sourcing/decorators/event-handler.decorator';
import {
  EventType,
  getEventTypeMetadata,
} from '@cello/event-sourcing/decorators/event-type.decorator';
import {
  EventSubscriber,
  getEventSubscriberOptions,
} from '@cello/event-sourcing/decorators/event-subscriber.decorator';

class OrderPlaced extends Event {}

/** What `declare` threw, or a failure when it threw nothing. */
function thrownBy(declare: () => unknown): unknown {
  try {
    declare();
  } catch (error) {
    return error;
  }
  throw new Error('expected the declaration to throw, but it did not');
}

function expectDecoratorError(error: unknown, ...fragments: string[]): void {
  expect(isCelloError(error, InvalidEventSourcingDecoratorError.code)).toBe(true);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
}

describe('Event-sourcing decorators used in ways Cello would not honour', () => {
  describe.each<[string, () => unknown, string[]]>([
    [
      '@AggregateRoot with an unknown option',
      () => AggregateRoot({ snapshotEvery: 50 } as never),
      ['"snapshotEvery"', 'type, snapshotSchemaVersion'],
    ],
    [
      '@AggregateRoot with an empty type',
      () => AggregateRoot({ type: '' }),
      ['type is ""', 'non-empty'],
    ],
    [
      '@AggregateRoot with a fractional snapshot schema version',
      () => AggregateRoot({ snapshotSchemaVersion: 1.5 }),
      ['snapshotSchemaVersion is 1.5', 'whole number >= 1'],
    ],
    [
      '@EventType with an unknown option',
      () => EventType('OrderPlaced', { version: 2 } as never),
      ['"version"', 'schemaVersion'],
    ],
    [
      '@EventType with a schema version of 0',
      () => EventType('OrderPlaced', { schemaVersion: 0 }),
      ['schemaVersion is 0'],
    ],
    ['@EventType without a name', () => EventType('' as never), ["@EventType('OrderPlaced')"]],
    [
      '@EventType without parentheses',
      () => (EventType as unknown as (target: unknown) => unknown)(OrderPlaced),
      ['OrderPlaced', 'missing'],
    ],
    [
      '@EventHandler without event classes',
      () => EventHandler(),
      ['@EventHandler() needs at least one event class'],
    ],
    [
      '@EventBatchHandler given an event name instead of its class',
      () => EventBatchHandler('OrderPlaced' as never),
      ['argument #1 is OrderPlaced', 'not an event class'],
    ],
    [
      '@EventSubscriber with an unknown option',
      () => EventSubscriber({ name: 'orders', retries: 3 } as never),
      ['"retries"', 'maxAttempts'],
    ],
    [
      '@EventSubscriber given its name instead of options',
      () => EventSubscriber('orders' as never),
      ['not an object'],
    ],
  ])('when %s is declared', (_label, declare, fragments) => {
    it('should fail at once with a fix-it message', () => {
      expectDecoratorError(thrownBy(declare), ...fragments);
    });
  });

  describe('when @EventHandler is put on an arrow-function property', () => {
    it('should fail naming the property and saying to use a method', () => {
      const error = thrownBy(() => {
        class OrderProjection {
          @(EventHandler(OrderPlaced) as unknown as PropertyDecorator)
          onPlaced = (_event: OrderPlaced) => undefined;
        }
        return OrderProjection;
      });
      expectDecoratorError(error, 'OrderProjection.onPlaced', 'on a method');
    });
  });

  describe('when @EventBatchHandler is put on an accessor', () => {
    it('should fail naming the accessor', () => {
      const error = thrownBy(() => {
        class OrderProjection {
          @(EventBatchHandler(OrderPlaced) as unknown as MethodDecorator)
          get handler(): () => void {
            return () => undefined;
          }
        }
        return OrderProjection;
      });
      expectDecoratorError(error, 'OrderProjection.handler');
    });
  });

  describe('when @AggregateRoot is put on a method', () => {
    it('should fail saying to put it on the class', () => {
      const error = thrownBy(() => {
        class Order {
          @(AggregateRoot() as unknown as MethodDecorator)
          ship(): void {}
        }
        return Order;
      });
      expectDecoratorError(error, 'Order.ship', 'on the class');
    });
  });

  describe('when @EventSubscriber is put on a method', () => {
    it('should fail saying to put it on the class', () => {
      const error = thrownBy(() => {
        class OrdersProjection {
          @(EventSubscriber({ name: 'orders' }) as unknown as MethodDecorator)
          rebuild(): void {}
        }
        return OrdersProjection;
      });
      expectDecoratorError(error, 'OrdersProjection.rebuild', 'on the class');
    });
  });

  describe('when @EventSubscriber is used as documented', () => {
    it('should record its options', () => {
      @EventSubscriber({ name: 'orders', startFrom: 'end', isTransient: () => undefined })
      class OrdersProjection {}
      expect(getEventSubscriberOptions(OrdersProjection)).toMatchObject({
        name: 'orders',
        startFrom: 'end',
      });
    });
  });

  describe('when they are used as documented', () => {
    it('should record their metadata', () => {
      @AggregateRoot({ type: 'Order', snapshotSchemaVersion: 2 })
      class Order {}
      @EventType('OrderShipped', { schemaVersion: 3 })
      class OrderShipped extends Event {}
      expect(getAggregateRootMetadata(Order)).toEqual({ type: 'Order', snapshotSchemaVersion: 2 });
      expect(getEventTypeMetadata(OrderShipped)).toEqual({
        name: 'OrderShipped',
        schemaVersion: 3,
      });
    });
  });
});
