import { Injectable } from '@nestjs/common';
import { isCelloError } from '@cello/core';
import { NonRetryableError, Saga, SagaStep, type SagaStepExecution } from '@cello/saga';
import { InventoryService } from '../fake-services/inventory.service';
import { PaymentService } from '../fake-services/payment.service';
import { referenceId } from '../fake-services/reference-id';
import { ServiceRefusedError } from '../fake-services/service-refused.error';
import { ShippingService } from '../fake-services/shipping.service';
import type { OrderSagaContext } from './order-saga-context';

type Step = SagaStepExecution<OrderSagaContext>;

/** Name under which `OrderSaga` runs are stored and reported. */
export const ORDER_SAGA = 'OrderSaga';

/**
 * The seed's `OrderSaga`: reserve inventory, charge payment, ship; on a
 * failure the completed steps are undone in reverse order. Every call passes
 * the step's idempotency key, so a retried or recovered step has no second effect.
 */
@Saga(ORDER_SAGA)
@Injectable()
export class OrderSaga {
  constructor(
    private readonly inventory: InventoryService,
    private readonly payment: PaymentService,
    private readonly shipping: ShippingService,
  ) {}

  @SagaStep({ name: 'reserve_inventory', compensate: 'releaseInventory' })
  async reserveInventory({ context, idempotencyKey }: Step): Promise<void> {
    const { reservationId } = await refusalsAreFinal(() =>
      this.inventory.reserve({ orderId: context.orderId, items: context.items, idempotencyKey }),
    );
    context.reservationId = reservationId;
  }

  async releaseInventory({ context, sagaId, idempotencyKey }: Step): Promise<void> {
    const reservationId =
      context.reservationId ?? referenceId('res', actionKey(sagaId, 'reserve_inventory'));
    await undo(!context.reservationId, 'unknown-reservation', () =>
      this.inventory.release({ orderId: context.orderId, reservationId, idempotencyKey }),
    );
  }

  @SagaStep({ name: 'process_payment', compensate: 'refundPayment' })
  async chargePayment({ context, idempotencyKey }: Step): Promise<void> {
    const { paymentId } = await refusalsAreFinal(() =>
      this.payment.charge({
        orderId: context.orderId,
        customerId: context.customerId,
        amount: context.total,
        idempotencyKey,
      }),
    );
    context.paymentId = paymentId;
  }

  async refundPayment({ context, sagaId, idempotencyKey }: Step): Promise<void> {
    const paymentId = context.paymentId ?? referenceId('pay', actionKey(sagaId, 'process_payment'));
    await undo(!context.paymentId, 'unknown-payment', () =>
      this.payment.refund({ orderId: context.orderId, paymentId, idempotencyKey }),
    );
  }

  @SagaStep({ name: 'ship_order', compensate: 'cancelShipment' })
  async createShipment({ context, idempotencyKey }: Step): Promise<void> {
    const shipment = await refusalsAreFinal(() =>
      this.shipping.create({
        orderId: context.orderId,
        address: context.address,
        items: context.items,
        idempotencyKey,
      }),
    );
    context.shipmentId = shipment.shipmentId;
    context.trackingNumber = shipment.trackingNumber;
  }

  async cancelShipment({ context, sagaId, idempotencyKey }: Step): Promise<void> {
    const shipmentId = context.shipmentId ?? referenceId('shp', actionKey(sagaId, 'ship_order'));
    await undo(!context.shipmentId, 'unknown-shipment', () =>
      this.shipping.cancel({ orderId: context.orderId, shipmentId, idempotencyKey }),
    );
  }
}

/** The idempotency key the runner gives a step's action (`<sagaId>:<step>`). */
function actionKey(sagaId: string, step: string): string {
  return `${sagaId}:${step}`;
}

/**
 * Runs a compensation. When the action's answer is missing from the context
 * (its attempt was lost to a crash, or it failed), the action may still have
 * happened: the compensation then names it by the reference its idempotency
 * key implies, and a service that never heard of it means there is nothing to undo.
 */
async function undo(
  answerMissing: boolean,
  unknownCode: string,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await refusalsAreFinal(call);
  } catch (error) {
    const cause = error instanceof NonRetryableError ? error.cause : undefined;
    if (answerMissing && isCelloError(cause, unknownCode)) return;
    throw error;
  }
}

/**
 * A service's business refusal gives the same answer on every retry: fail the
 * step at once. Transient errors pass through and are retried with backoff.
 */
async function refusalsAreFinal<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServiceRefusedError) {
      throw new NonRetryableError(error.message, { cause: error });
    }
    throw error;
  }
}
