import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageOf, PageQuery } from '../../common/pagination';
import { DATA_TYPES, type DataType } from '../../audiences/audience.schema';
import { CURRENCIES, DataLabelDto, PricingDto } from '../../listings/dto/listing.dto';

export const MARKETPLACE_SORTS = ['price', '-price', 'size', '-size', 'newest'] as const;
export type MarketplaceSort = (typeof MARKETPLACE_SORTS)[number];

const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export class MarketplaceQuery extends PageQuery {
  @ApiPropertyOptional({ maxLength: 100, description: 'Case-insensitive substring of title or description' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'IAB Audience Taxonomy 1.1 id; matches the node and everything under it' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  taxonomyId?: number;

  @ApiPropertyOptional({ example: 'CMR', description: 'Country code as found in members’ traits.country' })
  @IsOptional()
  @Transform(upper)
  @Matches(/^[A-Z]{2,3}$/)
  country?: string;

  @ApiPropertyOptional({ enum: DATA_TYPES }) @IsOptional() @IsIn(DATA_TYPES) dataType?: DataType;

  @ApiPropertyOptional({ description: 'Minimum public size estimate' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  minSize?: number;

  @ApiPropertyOptional({ description: 'Maximum CPM-equivalent price in minor units (flat prices spread over the size estimate)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  maxPrice?: number;

  @ApiPropertyOptional({ enum: CURRENCIES }) @IsOptional() @IsIn(CURRENCIES) currency?: string;

  @ApiPropertyOptional({ enum: MARKETPLACE_SORTS, default: 'newest' }) @IsOptional() @IsIn(MARKETPLACE_SORTS) sort?: MarketplaceSort;
}

export class PublisherRefDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

/** What buyers see: public fields only (no exact sizes, segment, rules or moderation history). */
export class MarketplaceListingDto {
  @ApiProperty() id: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [Number] }) taxonomyIds: number[];
  @ApiProperty({ type: PricingDto }) pricing: PricingDto;
  @ApiProperty() licenseDays: number;
  @ApiProperty({ oneOf: [{ type: 'integer' }, { type: 'string', example: '<100' }], description: 'Rounded, noised; "<k" under the threshold' })
  sizeEstimate: number | string;
  @ApiProperty({ type: DataLabelDto }) dataLabel: DataLabelDto;
  @ApiProperty({ type: PublisherRefDto }) publisher: PublisherRefDto;
  @ApiProperty({ type: [String] }) countries: string[];
  @ApiProperty({ type: [String] }) dataTypes: string[];
  @ApiProperty() listedAt: string;
}
export class MarketplaceListingPageDto extends PageOf(MarketplaceListingDto) {}
