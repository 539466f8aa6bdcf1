import { CommandHandler, type ICommandHandler } from '@cello/cqrs';
import { OrderRepository } from '../order-repository';
import { SnapshotOrderCommand } from './snapshot-order.command';

/** Snapshots the order, so the next load replays only the events after it. */
@CommandHandler(SnapshotOrderCommand)
export class SnapshotOrderHandler implements ICommandHandler<SnapshotOrderCommand> {
  constructor(private readonly orders: OrderRepository) {}

  execute(command: SnapshotOrderCommand): Promise<{ version: number }> {
    return this.orders.snapshot(command.orderId);
  }
}
