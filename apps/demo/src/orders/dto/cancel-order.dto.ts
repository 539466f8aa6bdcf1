import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /orders/:id/cancel`. */
export class CancelOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  reason!: string;
}
