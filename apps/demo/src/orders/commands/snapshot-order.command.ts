import { Command } from '@cello/cqrs';
import { IsNotEmpty, IsString } from 'class-validator';

/** Takes a snapshot of an order's current state; resolves to the version it reflects. */
export class SnapshotOrderCommand extends Command<{ version: number }> {
  @IsString()
  @IsNotEmpty()
  readonly orderId: string;

  constructor(orderId: string) {
    super();
    this.orderId = orderId;
  }
}
