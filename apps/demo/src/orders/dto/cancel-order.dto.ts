import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';

/** Body of `POST /orders/:id/cancel`. */
export class CancelOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(ORDER_LIMITS.cancelReasonLength)
  reason!: string;
}
