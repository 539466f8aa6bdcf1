import { Command } from '@cello/cqrs';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsString,
  Min,
  ValidateNested,
} from 'class-validator';
import type { OrderItem } from '../order-item';
import type { OrderWriteResult } from './order-write-result';

/** A line of {@link CreateOrderCommand}, validated by the bus before the handler runs. */
export class CreateOrderItem implements OrderItem {
  @IsString()
  @IsNotEmpty()
  readonly sku: string;

  @IsInt()
  @Min(1)
  readonly quantity: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly price: number;

  constructor(item: OrderItem) {
    this.sku = item.sku;
    this.quantity = item.quantity;
    this.price = item.price;
  }
}

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
