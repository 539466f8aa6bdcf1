import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { OrderRepository } from '../order-repository';
import { CancelOrderCommand } from './cancel-order.command';
import type { OrderWriteResult } from './order-write-result';

/** Cancels the order if it has not shipped. */
@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(private readonly orders: OrderRepository) {}

  async execute(command: CancelOrderCommand): Promise<OrderWriteResult> {
    const order = await this.orders.load(command.orderId);
    order.cancel(command.reason);
    return this.orders.save(order);
  }
}
