import { CelloError } from '@cello/core';

/** The order exists but no `OrderSaga` run was linked to it yet (HTTP 404). */
export class FulfillmentNotFoundError extends CelloError {
  static readonly code = 'fulfillment-not-found';

  constructor(readonly orderId: string) {
    super(FulfillmentNotFoundError.code, `Order ${orderId} has no fulfillment yet`);
  }
}
