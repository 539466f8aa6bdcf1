import { Injectable } from '@nestjs/common';
import { FaultInjector } from './fault-injector';
import type { ServiceCall } from './fake-service-requests';
import { Ledger } from './ledger';
import { referenceId } from './reference-id';
import { ServiceRefusedError } from './service-refused.error';

/** The largest total the fake payment provider accepts. */
export const PAYMENT_LIMIT = 10000;

/** A fake payment provider: charges a customer, and refunds a charge. */
@Injectable()
export class PaymentService {
  constructor(
    private readonly ledger: Ledger,
    private readonly faults: FaultInjector,
  ) {}

  /** Charges `amount`; declines anything above {@link PAYMENT_LIMIT}. */
  async charge(
    call: ServiceCall & { readonly customerId: string; readonly amount: number },
  ): Promise<{ paymentId: string }> {
    await this.faults.beforeCall('payment', 'charge');
    if (call.amount > PAYMENT_LIMIT) {
      throw new ServiceRefusedError(
        'payment-declined',
        'payment',
        `payment of ${call.amount} declined: above the limit of ${PAYMENT_LIMIT}`,
      );
    }
    const paymentId = referenceId('pay', call.idempotencyKey);
    const answer = await this.ledger.record({
      service: 'payment',
      action: 'charge',
      orderId: call.orderId,
      amount: call.amount,
      idempotencyKey: call.idempotencyKey,
      reference: paymentId,
      answer: { paymentId },
    });
    return answer as { paymentId: string };
  }

  /** Refunds a charge in full; refunding it again changes nothing. */
  async refund(call: ServiceCall & { readonly paymentId: string }): Promise<void> {
    await this.faults.beforeCall('payment', 'refund');
    const charge = await this.ledger.find('payment', 'charge', call.paymentId);
    if (!charge) {
      throw new ServiceRefusedError('unknown-payment', 'payment', `no payment ${call.paymentId}`);
    }
    await this.ledger.record({
      service: 'payment',
      action: 'refund',
      orderId: call.orderId,
      amount: charge.amount,
      idempotencyKey: call.idempotencyKey,
      reference: call.paymentId,
      answer: { refunded: call.paymentId },
    });
  }
}
