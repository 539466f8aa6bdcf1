import { Injectable } from '@nestjs/common';
import { FaultInjector } from './fault-injector';
import type { ServiceCall, ServiceOrderItem } from './fake-service-requests';
import { Ledger } from './ledger';
import { referenceId } from './reference-id';
import { ServiceRefusedError } from './service-refused.error';

/** The sku the fake inventory never has. */
export const OUT_OF_STOCK_SKU = 'OUT-OF-STOCK';

/** A fake inventory: reserves stock for an order, and releases it. */
@Injectable()
export class InventoryService {
  constructor(
    private readonly ledger: Ledger,
    private readonly faults: FaultInjector,
  ) {}

  /** Reserves the items' units; refuses an order holding the sku `OUT-OF-STOCK`. */
  async reserve(
    call: ServiceCall & { readonly items: readonly ServiceOrderItem[] },
  ): Promise<{ reservationId: string }> {
    await this.faults.beforeCall('inventory', 'reserve');
    if (call.items.some((item) => item.sku === OUT_OF_STOCK_SKU)) {
      throw new ServiceRefusedError(
        'out-of-stock',
        'inventory',
        `sku ${OUT_OF_STOCK_SKU} is out of stock`,
      );
    }
    const reservationId = referenceId('res', call.idempotencyKey);
    const answer = await this.ledger.record({
      service: 'inventory',
      action: 'reserve',
      orderId: call.orderId,
      amount: call.items.reduce((units, item) => units + item.quantity, 0),
      idempotencyKey: call.idempotencyKey,
      reference: reservationId,
      answer: { reservationId },
    });
    return answer as { reservationId: string };
  }

  /** Releases a reservation; releasing it again changes nothing. */
  async release(call: ServiceCall & { readonly reservationId: string }): Promise<void> {
    await this.faults.beforeCall('inventory', 'release');
    const reservation = await this.ledger.find('inventory', 'reserve', call.reservationId);
    if (!reservation) {
      throw new ServiceRefusedError(
        'unknown-reservation',
        'inventory',
        `no reservation ${call.reservationId}`,
      );
    }
    await this.ledger.record({
      service: 'inventory',
      action: 'release',
      orderId: call.orderId,
      amount: reservation.amount,
      idempotencyKey: call.idempotencyKey,
      reference: call.reservationId,
      answer: { released: call.reservationId },
    });
  }
}
