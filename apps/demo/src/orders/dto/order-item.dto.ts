import { IsInt, IsNotEmpty, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';

/** A line of an order in a request body. */
export class OrderItemDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORDER_LIMITS.skuLength)
  sku!: string;

  @IsInt()
  @Min(1)
  @Max(ORDER_LIMITS.maxQuantity)
  quantity!: number;

  /** Unit price, at most two decimals. */
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(ORDER_LIMITS.maxPrice)
  price!: number;
}
