import { randomUUID } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { Order } from '../order.aggregate';
import { OrderRepository } from '../order-repository';
import { CreateOrderCommand } from './create-order.command';
import type { OrderWriteResult } from './order-write-result';

/** Creates the order aggregate and stores its first event. */
@CommandHandler(CreateOrderCommand)
export class CreateOrderHandler implements ICommandHandler<CreateOrderCommand> {
  constructor(private readonly orders: OrderRepository) {}

  async execute(command: CreateOrderCommand): Promise<OrderWriteResult> {
    const order = Order.create(
      randomUUID(),
      command.customerId,
      command.items.map(({ sku, quantity, price }) => ({ sku, quantity, price })),
    );
    return this.orders.save(order);
  }
}
