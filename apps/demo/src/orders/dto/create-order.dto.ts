import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { MaxItemsTotal } from './max-items-total.decorator';
import { OrderItemDto } from './order-item.dto';
import { ORDER_LIMITS } from './order-limits';

/** Body of `POST /orders`. */
export class CreateOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORDER_LIMITS.customerIdLength)
  customer_id!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ORDER_LIMITS.maxItems)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  @MaxItemsTotal()
  items!: OrderItemDto[];
}
