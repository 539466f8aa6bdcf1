import { IsInt, IsNotEmpty, IsNumber, IsString, Min } from 'class-validator';
import type { OrderItem } from '../order-item';

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
