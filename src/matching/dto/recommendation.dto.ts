import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CURRENCIES, MAX_AMOUNT } from '../../listings/dto/listing.dto';
import { MarketplaceListingDto } from '../../marketplace/dto/marketplace.dto';

const upperAll = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)) : value;

export const DEFAULT_RECOMMENDATIONS = 10;
export const MAX_RECOMMENDATIONS = 50;

export class RecommendationBriefDto {
  @ApiPropertyOptional({ type: [Number], maxItems: 20, description: 'IAB Audience Taxonomy 1.1 ids wanted', example: [607] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  taxonomyIds?: number[];

  @ApiPropertyOptional({ type: [String], maxItems: 50, description: 'Country codes as in listings (members’ traits.country)', example: ['CMR', 'FRA'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Transform(upperAll)
  @Matches(/^[A-Z]{2,3}$/, { each: true })
  countries?: string[];

  @ApiPropertyOptional({ description: 'Smallest useful audience (records)', minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  minSize?: number;

  @ApiPropertyOptional({ description: 'Price ceiling per thousand records, minor units of `currency`', minimum: 1, example: 400 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  maxCpm?: number;

  @ApiPropertyOptional({ description: 'Budget, minor units of `currency`', minimum: 1, example: 100000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000_000)
  budget?: number;

  @ApiPropertyOptional({ enum: CURRENCIES, default: 'eur', description: 'Currency of maxCpm and budget' })
  @IsOptional()
  @IsIn(CURRENCIES)
  currency?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_RECOMMENDATIONS, default: DEFAULT_RECOMMENDATIONS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RECOMMENDATIONS)
  limit?: number;
}

export class RecommendationDto {
  @ApiProperty({ type: MarketplaceListingDto }) listing: MarketplaceListingDto;
  @ApiProperty({ minimum: 0, maximum: 100, description: 'Weighted fit to the brief (docs/matching.md)' }) score: number;
  @ApiProperty({ type: [String], description: 'One explanation per criterion of the brief' }) reasons: string[];
}

export class RecommendationListDto {
  @ApiProperty({ type: [RecommendationDto], description: 'Highest score first, then listing id' }) items: RecommendationDto[];
}
