import { QueryHandler, type IQueryHandler } from '@cello/cqrs';
import { OrderReadModel } from '../projections/order-read-model';
import type { OrderSummary } from '../projections/order-summary';
import { ListOrdersQuery } from './list-orders.query';

/** Lists orders from the `orders` read model. */
@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(private readonly readModel: OrderReadModel) {}

  execute(query: ListOrdersQuery): Promise<OrderSummary[]> {
    return this.readModel.list({
      customerId: query.customerId,
      status: query.status,
      limit: query.limit,
    });
  }
}
