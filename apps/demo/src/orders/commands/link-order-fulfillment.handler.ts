import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { OrderRepository } from '../order-repository';
import { LinkOrderFulfillmentCommand } from './link-order-fulfillment.command';
import type { OrderWriteResult } from './order-write-result';

/** Links the saga run to the order. */
@CommandHandler(LinkOrderFulfillmentCommand)
export class LinkOrderFulfillmentHandler implements ICommandHandler<LinkOrderFulfillmentCommand> {
  constructor(private readonly orders: OrderRepository) {}

  async execute(command: LinkOrderFulfillmentCommand): Promise<OrderWriteResult> {
    const order = await this.orders.load(command.orderId);
    order.linkFulfillment(command.sagaId);
    return this.orders.save(order);
  }
}
