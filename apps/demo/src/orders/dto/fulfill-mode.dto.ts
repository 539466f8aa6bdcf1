import { IsIn, IsOptional } from 'class-validator';

/** Query string of `POST /orders/:id/fulfill`: wait for the saga (`sync`, default) or not (`async`). */
export class FulfillModeDto {
  @IsOptional()
  @IsIn(['sync', 'async'])
  mode?: 'sync' | 'async';
}
