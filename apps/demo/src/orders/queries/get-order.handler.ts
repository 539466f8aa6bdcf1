import { QueryHandler, type IQueryHandler } from '@cello/cqrs';
import { OrderNotFoundError } from '../errors/order-not-found.error';
import { OrderReadModel } from '../projections/order-read-model';
import type { OrderSummary } from '../projections/order-summary';
import { GetOrderQuery } from './get-order.query';

/** Reads one order from the `orders` read model. */
@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(private readonly readModel: OrderReadModel) {}

  async execute(query: GetOrderQuery): Promise<OrderSummary> {
    const order = await this.readModel.get(query.orderId);
    if (!order) throw new OrderNotFoundError(query.orderId);
    return order;
  }
}
