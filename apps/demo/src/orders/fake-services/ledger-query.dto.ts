import { IsOptional, IsString, Length } from 'class-validator';

/** Query string of `GET /demo/ledger`. */
export class LedgerQueryDto {
  /** Only the entries of this order. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  order_id?: string;
}
