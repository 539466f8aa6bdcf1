import { Query } from '@cello/cqrs';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ORDER_STATUSES, type OrderStatus } from '../order-item';
import type { OrderSummary } from '../projections/order-summary';

/** Largest page of `ListOrdersQuery`. */
export const MAX_ORDER_LIST_LIMIT = 500;

/** Orders from the read model, newest first, by customer and status. */
export class ListOrdersQuery extends Query<OrderSummary[]> {
  @IsOptional()
  @IsString()
  readonly customerId?: string;

  @IsOptional()
  @IsIn(ORDER_STATUSES)
  readonly status?: OrderStatus;

  @IsInt()
  @Min(1)
  @Max(MAX_ORDER_LIST_LIMIT)
  readonly limit: number;

  constructor(filter: { customerId?: string; status?: OrderStatus; limit?: number } = {}) {
    super();
    this.customerId = filter.customerId;
    this.status = filter.status;
    this.limit = filter.limit ?? 50;
  }
}
