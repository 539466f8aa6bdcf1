import { Command } from '@cello/cqrs';
import { IsNotEmpty, IsString } from 'class-validator';
import type { OrderWriteResult } from './order-write-result';

/** Records on the order which `OrderSaga` run (`sagaId`) fulfils it. */
export class LinkOrderFulfillmentCommand extends Command<OrderWriteResult> {
  @IsString()
  @IsNotEmpty()
  readonly orderId: string;

  @IsString()
  @IsNotEmpty()
  readonly sagaId: string;

  constructor(orderId: string, sagaId: string) {
    super();
    this.orderId = orderId;
    this.sagaId = sagaId;
  }
}
