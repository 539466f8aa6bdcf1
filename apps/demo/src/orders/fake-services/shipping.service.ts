import { Injectable } from '@nestjs/common';
import { FaultInjector } from './fault-injector';
import type { ServiceAddress, ServiceCall, ServiceOrderItem } from './fake-service-requests';
import { Ledger } from './ledger';
import { referenceId } from './reference-id';
import { ServiceRefusedError } from './service-refused.error';

/** The country code the fake carrier does not deliver to. */
export const REFUSED_COUNTRY = 'XX';

/** A fake carrier: creates a shipment, and cancels it. */
@Injectable()
export class ShippingService {
  constructor(
    private readonly ledger: Ledger,
    private readonly faults: FaultInjector,
  ) {}

  /** Ships the items; refuses an address whose country is {@link REFUSED_COUNTRY}. */
  async create(
    call: ServiceCall & {
      readonly address: ServiceAddress;
      readonly items: readonly ServiceOrderItem[];
    },
  ): Promise<{ shipmentId: string; trackingNumber: string }> {
    await this.faults.beforeCall('shipping', 'ship');
    if (call.address.country === REFUSED_COUNTRY) {
      throw new ServiceRefusedError(
        'address-refused',
        'shipping',
        `cannot ship to country ${REFUSED_COUNTRY}`,
      );
    }
    const shipmentId = referenceId('shp', call.idempotencyKey);
    const trackingNumber = `TRK-${shipmentId.slice(4, 14).toUpperCase()}`;
    const answer = await this.ledger.record({
      service: 'shipping',
      action: 'ship',
      orderId: call.orderId,
      amount: call.items.reduce((units, item) => units + item.quantity, 0),
      idempotencyKey: call.idempotencyKey,
      reference: shipmentId,
      answer: { shipmentId, trackingNumber },
    });
    return answer as { shipmentId: string; trackingNumber: string };
  }

  /** Cancels a shipment; cancelling it again changes nothing. */
  async cancel(call: ServiceCall & { readonly shipmentId: string }): Promise<void> {
    await this.faults.beforeCall('shipping', 'cancel');
    const shipment = await this.ledger.find('shipping', 'ship', call.shipmentId);
    if (!shipment) {
      throw new ServiceRefusedError(
        'unknown-shipment',
        'shipping',
        `no shipment ${call.shipmentId}`,
      );
    }
    await this.ledger.record({
      service: 'shipping',
      action: 'cancel',
      orderId: call.orderId,
      amount: shipment.amount,
      idempotencyKey: call.idempotencyKey,
      reference: call.shipmentId,
      answer: { cancelled: call.shipmentId },
    });
  }
}
