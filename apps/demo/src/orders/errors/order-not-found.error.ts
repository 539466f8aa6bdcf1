import { CelloError } from '@cello/core';

/** No order has this id (HTTP 404). */
export class OrderNotFoundError extends CelloError {
  static readonly code = 'order-not-found';

  constructor(readonly orderId: string) {
    super(OrderNotFoundError.code, `Order ${orderId} does not exist`);
  }
}
