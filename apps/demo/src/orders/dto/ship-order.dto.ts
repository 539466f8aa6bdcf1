import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';

/** Body of `POST /orders/:id/ship`. */
export class ShipOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORDER_LIMITS.trackingNumberLength)
  tracking_number!: string;
}
