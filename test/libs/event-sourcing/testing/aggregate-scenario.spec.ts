import 'reflect-metadata';
import {
  Order,
  OrderAlreadyCancelledError,
  OrderCancelled,
  OrderCreated,
  OrderShipped,
} from '../__fixtures__/order.fixture';
import { AggregateAssertionError } from '@cello/event-sourcing/testing/aggregate-assertion.error';
import { given } from '@cello/event-sourcing/testing/aggregate-scenario';

const at = new Date('2026-01-01T00:00:00Z');
const created = new OrderCreated('o-1', 'c-1', [{ sku: 'A', quantity: 1 }], at);

describe('given/when/then for aggregates', () => {
  describe('when the command applies the expected events', () => {
    it('should pass and return the aggregate', () => {
      const order = given(Order, [created])
        .when((o) => o.cancel('too slow'))
        .then([new OrderCancelled('o-1', 'too slow')]);
      expect(order.status).toBe('cancelled');
    });
  });

  describe('when the applied events differ', () => {
    it('should throw an AggregateAssertionError with a diff', () => {
      // When
      let error: unknown;
      try {
        given(Order, [created])
          .when((o) => o.cancel('too slow'))
          .then([new OrderCancelled('o-1', 'changed mind')]);
      } catch (caught) {
        error = caught;
      }
      // Then
      expect(error).toBeInstanceOf(AggregateAssertionError);
      expect((error as Error).message).toMatch(/- .*changed mind/);
      expect((error as Error).message).toMatch(/\+ .*too slow/);
    });

    it('should fail when another event class has the same fields', () => {
      expect(() =>
        given(Order, [created])
          .when((o) => o.ship('T-1'))
          .then([new OrderCancelled('o-1', 'T-1')]),
      ).toThrow(AggregateAssertionError);
    });
  });

  describe('when the command throws', () => {
    it('should pass thenThrows with the error class', () => {
      const error = given(Order, [created, new OrderCancelled('o-1', 'x')])
        .when((o) => o.ship('T-1'))
        .thenThrows(OrderAlreadyCancelledError, /is cancelled/);
      expect(error).toBeInstanceOf(OrderAlreadyCancelledError);
    });

    it('should fail then() naming the error', () => {
      expect(() =>
        given(Order, [created, new OrderCancelled('o-1', 'x')])
          .when((o) => o.ship('T-1'))
          .then([new OrderShipped('o-1', 'T-1')]),
      ).toThrow(/the command threw/);
    });
  });

  describe('when an error was expected but events were applied', () => {
    it('should throw an AggregateAssertionError', () => {
      expect(() =>
        given(Order, [created])
          .when((o) => o.cancel('x'))
          .thenThrows(OrderAlreadyCancelledError),
      ).toThrow(/Expected OrderAlreadyCancelledError to be thrown/);
    });
  });
});
