import { CelloError } from '@cello/core';
import type { OrderStatus } from '../order-item';

/** The order's status does not allow the requested change, e.g. shipping a cancelled order (HTTP 409). */
export class InvalidOrderTransitionError extends CelloError {
  static readonly code = 'invalid-order-transition';

  constructor(
    readonly orderId: string,
    readonly status: OrderStatus,
    readonly action: string,
  ) {
    super(
      InvalidOrderTransitionError.code,
      `Order ${orderId} is ${status} and cannot be ${action}`,
    );
  }
}
