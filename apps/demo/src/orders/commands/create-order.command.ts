import { Command } from '@cello/cqrs';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsNotEmpty, IsString, ValidateNested } from 'class-validator';
import type { OrderItem } from '../order-item';
import { CreateOrderItem } from './create-order-item';
import type { OrderWriteResult } from './order-write-result';

/** Places a new order. */
export class CreateOrderCommand extends Command<OrderWriteResult> {
  @IsString()
  @IsNotEmpty()
  readonly customerId: string;

  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => CreateOrderItem)
  readonly items: CreateOrderItem[];

  constructor(customerId: string, items: readonly OrderItem[]) {
    super();
    this.customerId = customerId;
    this.items = items.map((item) => new CreateOrderItem(item));
  }
}
