import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Body of `POST /orders/:id/ship`. */
export class ShipOrderDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  tracking_number!: string;
}
