import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** A shipping address; only `country` is required. */
export class AddressDto {
  /** ISO 3166-1 alpha-2 code, upper case (`FR`, `US`); the fake carrier refuses `XX`. */
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: 'country must be a two-letter upper-case country code' })
  country!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  line1?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  city?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  postal_code?: string;
}
