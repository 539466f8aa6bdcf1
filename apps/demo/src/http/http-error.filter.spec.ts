import type { ArgumentsHost } from '@nestjs/common';
import { ValidationError } from '@cello/cqrs';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  InvalidAppendError,
} from '@cello/event-sourcing';
import { CelloError } from '@cello/core';
import { InvalidSagaContextError, SagaStorageUnavailableError } from '@cello/saga';
import { validateSync } from 'class-validator';
import { CreateOrderCommand } from '../orders/commands/create-order.command';
import { InvalidOrderTransitionError } from '../orders/errors/invalid-order-transition.error';
import { OrderNotFoundError } from '../orders/errors/order-not-found.error';
import { HttpErrorFilter } from './http-error.filter';

/** Runs the filter on `error` and returns what it answered. */
function answer(error: unknown): { status: number; body: Record<string, unknown> } {
  const sent: { status: number; body: Record<string, unknown> } = { status: 0, body: {} };
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as ArgumentsHost;
  new HttpErrorFilter().catch(error, host);
  return sent;
}

describe('HttpErrorFilter', () => {
  describe('when a command fails the bus validation', () => {
    it('should answer 400 with one problem per broken constraint', () => {
      // Given
      const command = new CreateOrderCommand('', [{ sku: 'A', quantity: -1, price: 1 }]);
      const error = new ValidationError('CreateOrderCommand', validateSync(command));
      // When
      const { status, body } = answer(error);
      // Then
      expect(status).toBe(400);
      expect(body.code).toBe('message-validation-failed');
      expect(body.message).toEqual([
        'customerId should not be empty',
        'items.0.quantity must not be less than 1',
      ]);
    });
  });

  describe.each([
    ['an unknown order', new OrderNotFoundError('o-1'), 404],
    ['a refused transition', new InvalidOrderTransitionError('o-1', 'cancelled', 'shipped'), 409],
    ['a concurrent write', new ConcurrencyError('o-1', 1, 2), 409],
    ['an unreachable event store', new EventStoreUnavailableError('connection refused'), 503],
    [
      'unreachable saga storage',
      new SagaStorageUnavailableError('load', { cause: new Error('connection refused') }),
      503,
    ],
    ['a saga context that cannot be stored', new InvalidSagaContextError('OrderSaga', 'x'), 400],
    // SagaInvalidInputError's code (matched by code, not class).
    ['a saga write refused as input', new CelloError('saga-invalid-input', 'refused'), 400],
    ['an append refused as input', new InvalidAppendError('order-1', 'refused'), 400],
  ])('when the error is %s', (_case, error, expected) => {
    it(`should answer ${expected} with its code and message`, () => {
      const { status, body } = answer(error);
      expect(status).toBe(expected);
      expect(body).toEqual({
        statusCode: expected,
        error: expect.any(String),
        code: error.code,
        message: error.message,
      });
    });
  });
});
