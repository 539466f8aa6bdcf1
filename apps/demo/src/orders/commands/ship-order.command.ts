import { Command } from '@cello/cqrs';
import { IsNotEmpty, IsString } from 'class-validator';
import type { OrderWriteResult } from './order-write-result';

/** Ships a created order. */
export class ShipOrderCommand extends Command<OrderWriteResult> {
  @IsString()
  @IsNotEmpty()
  readonly orderId: string;

  @IsString()
  @IsNotEmpty()
  readonly trackingNumber: string;

  constructor(orderId: string, trackingNumber: string) {
    super();
    this.orderId = orderId;
    this.trackingNumber = trackingNumber;
  }
}
