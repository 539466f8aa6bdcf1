import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsString,
  MaxLength,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { AddressDto } from './address.dto';
import { MaxItemsTotal } from './max-items-total.decorator';
import { OrderItemDto } from './order-item.dto';
import { ORDER_LIMITS } from './order-limits';

/** Body of `POST /orders/:id/fulfill`: the seed's saga context. */
export class FulfillOrderDto {
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

  /** Amount to charge, at most two decimals; the fake payment declines above 10000. */
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(ORDER_LIMITS.maxAmount)
  total!: number;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  address!: AddressDto;
}
