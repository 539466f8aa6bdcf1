import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { OrderRepository } from '../order-repository';
import type { OrderWriteResult } from './order-write-result';
import { ShipOrderCommand } from './ship-order.command';

/** Ships the order if its status allows it. */
@CommandHandler(ShipOrderCommand)
export class ShipOrderHandler implements ICommandHandler<ShipOrderCommand> {
  constructor(private readonly orders: OrderRepository) {}

  async execute(command: ShipOrderCommand): Promise<OrderWriteResult> {
    const order = await this.orders.load(command.orderId);
    order.ship(command.trackingNumber);
    return this.orders.save(order);
  }
}
