import 'reflect-metadata';
import { MissingEventHandlerError } from '@cello/event-sourcing/errors/missing-event-handler.error';
import { Order, OrderCreated, OrderShipped } from '../__fixtures__/order.fixture';
import { EventBatchHandler } from '@cello/event-sourcing/decorators/event-batch-handler.decorator';
import { EventType } from '@cello/event-sourcing/decorators/event-type.decorator';
import { Aggregate } from '@cello/event-sourcing/aggregate/aggregate';
import { Event } from '@cello/event-sourcing/event/event';

@EventType('Unhandled')
class Unhandled extends Event {}

describe('Aggregate', () => {
  describe('when an event is applied', () => {
    it('should run its handler, record it as uncommitted and bump the version', () => {
      // Given / When
      const order = Order.create('o-1', 'c-1', [{ sku: 'A', quantity: 1 }]);
      order.ship('T-1');
      // Then
      expect(order.id).toBe('o-1');
      expect(order.status).toBe('shipped');
      expect(order.version).toBe(2);
      expect(order.committedVersion).toBe(0);
      expect(order.uncommittedEvents.map((e) => e.constructor)).toEqual([
        OrderCreated,
        OrderShipped,
      ]);
    });

    it('should throw MissingEventHandlerError for an event it has no handler for', () => {
      const order = new Order();
      expect(() => order.apply(new Unhandled())).toThrow(MissingEventHandlerError);
      expect(() => order.apply(new Unhandled())).toThrow(/@EventHandler\(Unhandled\)/);
    });

    it('should say that @EventBatchHandler is for subscribers when the aggregate used it', () => {
      // Given an aggregate that marked its handler with the subscribers' batch decorator
      class Misdecorated extends Aggregate {
        @EventBatchHandler(Unhandled)
        onUnhandled(): void {}
      }

      // When / Then
      expect(() => new Misdecorated().apply(new Unhandled())).toThrow(
        /onUnhandled is marked @EventBatchHandler, which only subscribers use/,
      );
    });
  });

  describe('when history is loaded', () => {
    it('should rebuild state without recording events', () => {
      const order = new Order();
      order.loadFromHistory([new OrderCreated('o-1', 'c-1', []), new OrderShipped('o-1', 'T')]);
      expect(order.status).toBe('shipped');
      expect(order.version).toBe(2);
      expect(order.committedVersion).toBe(2);
      expect(order.uncommittedEvents).toHaveLength(0);
    });
  });

  describe('when a snapshot is taken', () => {
    it("should hold the aggregate's own fields and not the framework's", () => {
      const order = Order.create('o-1', 'c-1', []);
      const state = order.toSnapshot();
      expect(Object.keys(state).sort()).toEqual(
        ['createdAt', 'customerId', 'id', 'items', 'status', 'trackingNumber'].sort(),
      );
    });

    it('should restore the state and version from it', () => {
      const source = Order.create('o-1', 'c-1', []);
      const copy = new Order();
      copy.restoreSnapshot(source.toSnapshot(), 5);
      expect(copy.status).toBe('created');
      expect(copy.version).toBe(5);
      expect(copy.committedVersion).toBe(5);
    });
  });
});
