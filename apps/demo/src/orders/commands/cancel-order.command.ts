import { Command } from '@cello/cqrs';
import { IsNotEmpty, IsString } from 'class-validator';
import type { OrderWriteResult } from './order-write-result';

/** Cancels an order that has not shipped. */
export class CancelOrderCommand extends Command<OrderWriteResult> {
  @IsString()
  @IsNotEmpty()
  readonly orderId: string;

  @IsString()
  @IsNotEmpty()
  readonly reason: string;

  constructor(orderId: string, reason: string) {
    super();
    this.orderId = orderId;
    this.reason = reason;
  }
}
