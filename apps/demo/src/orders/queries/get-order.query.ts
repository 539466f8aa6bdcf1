import { Query } from '@cello/cqrs';
import { IsNotEmpty, IsString } from 'class-validator';
import type { OrderSummary } from '../projections/order-summary';

/** One order from the read model; fails with `OrderNotFoundError` when unknown. */
export class GetOrderQuery extends Query<OrderSummary> {
  @IsString()
  @IsNotEmpty()
  readonly orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
