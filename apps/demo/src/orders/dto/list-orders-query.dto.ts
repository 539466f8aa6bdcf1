import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ORDER_LIMITS } from './order-limits';
import { ORDER_STATUSES, type OrderStatus } from '../order-item';
import { MAX_ORDER_LIST_LIMIT } from '../queries/list-orders.query';

/** Query string of `GET /orders`. */
export class ListOrdersQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(ORDER_LIMITS.customerIdLength)
  customer_id?: string;

  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  /** Default 50, at most 500. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ORDER_LIST_LIMIT)
  limit?: number;
}
