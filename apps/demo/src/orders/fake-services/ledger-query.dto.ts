import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** Entries per page of `GET /demo/ledger` when `limit` is not given. */
export const DEFAULT_LEDGER_PAGE = 100;
/** Most entries one page of `GET /demo/ledger` may hold. */
export const MAX_LEDGER_PAGE = 1000;

/** Query string of `GET /demo/ledger`. */
export class LedgerQueryDto {
  /** Only the entries of this order. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  order_id?: string;

  /** Entries per page: default 100, at most 1000. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LEDGER_PAGE)
  limit?: number;

  /** The `next_after` of the previous page: entries recorded after it. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;
}
