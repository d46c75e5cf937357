import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsEmail,
  IsIn,
  IsInt,
  IsMongoId,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQuery } from '../../common/pagination';
import { INCLUSION_METHODOLOGIES, type InclusionMethodology, PRECISION_LEVELS, type PrecisionLevel } from '../data-label';
import { LISTING_STATUSES, type ListingStatus, type PricingModel } from '../listing.schema';

export const CURRENCIES = ['eur', 'usd', 'gbp', 'chf', 'cad', 'aud', 'sek', 'nok', 'dkk', 'pln', 'jpy', 'xaf', 'xof', 'ngn', 'zar'] as const;
export const MAX_AMOUNT = 1_000_000_000;

export class PricingDto {
  @ApiProperty({ enum: ['cpm', 'flat'] }) @IsIn(['cpm', 'flat']) model: PricingModel;
  @ApiProperty({ description: 'Minor units: per thousand records for cpm, the whole price for flat', minimum: 1, maximum: MAX_AMOUNT, example: 250 })
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT)
  amount: number;
  @ApiProperty({ enum: CURRENCIES, example: 'eur' })
  @Matches(/^[a-z]{3}$/, { message: 'currency must be a lower-case ISO 4217 code' })
  @IsIn(CURRENCIES)
  currency: string;
}

/** What the publisher declares on the Data Label; the rest is computed from the data. */
export class DeclaredLabelDto {
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) providerName?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail() @MaxLength(254) providerContactEmail?: string;
  @ApiPropertyOptional({ maxLength: 2000, description: 'How members were selected, in words' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  audienceCriteria?: string;
  @ApiPropertyOptional({ enum: PRECISION_LEVELS }) @IsOptional() @IsIn(PRECISION_LEVELS) precisionLevel?: PrecisionLevel;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['https'], require_protocol: true }) @MaxLength(500) privacyPolicyUrl?: string;
  @ApiPropertyOptional({ enum: INCLUSION_METHODOLOGIES, default: 'declared' })
  @IsOptional()
  @IsIn(INCLUSION_METHODOLOGIES)
  inclusionMethodology?: InclusionMethodology;
}

export class CreateListingDto {
  @ApiProperty() @IsMongoId() segmentId: string;
  @ApiProperty({ minLength: 3, maxLength: 200 }) @IsString() @MinLength(3) @MaxLength(200) @Matches(/\S/) title: string;
  @ApiProperty({ maxLength: 5000 }) @IsString() @MinLength(1) @MaxLength(5000) description: string;
  @ApiProperty({ type: [Number], description: 'IAB Audience Taxonomy 1.1 unique ids', example: [607, 663] })
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsInt({ each: true })
  taxonomyIds: number[];
  @ApiProperty({ type: PricingDto }) @ValidateNested() @Type(() => PricingDto) pricing: PricingDto;
  @ApiProperty({ minimum: 1, maximum: 730 }) @IsInt() @Min(1) @Max(730) licenseDays: number;
  @ApiPropertyOptional({ type: DeclaredLabelDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DeclaredLabelDto)
  dataLabel?: DeclaredLabelDto;
}

export class UpdateListingDto extends PartialType(CreateListingDto) {}

export class ReasonDto {
  @ApiProperty({ minLength: 3, maxLength: 1000 }) @IsString() @MinLength(3) @MaxLength(1000) @Matches(/\S/) reason: string;
}

export class ListingStatusQuery extends PageQuery {
  @ApiPropertyOptional({ enum: LISTING_STATUSES }) @IsOptional() @IsIn(LISTING_STATUSES) status?: ListingStatus;
}

export class ModerationEventDto {
  @ApiProperty({ enum: ['submit', 'approve', 'reject', 'suspend', 'reinstate', 'archive', 'edit'] }) action: string;
  @ApiProperty({ enum: LISTING_STATUSES }) from: ListingStatus;
  @ApiProperty({ enum: LISTING_STATUSES }) to: ListingStatus;
  @ApiProperty() actorId: string;
  @ApiPropertyOptional() reason?: string;
  @ApiProperty() at: string;
}

export class TaxonomyRefDto {
  @ApiProperty() id: number;
  @ApiProperty({ example: 'Interest | Sports | Soccer' }) path: string;
}

export class DataLabelDto extends DeclaredLabelDto {
  @ApiPropertyOptional({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: 'Public size estimate (set at approval)' })
  audienceSize?: number | string;
  @ApiPropertyOptional({ type: [String], enum: ['email_sha256', 'phone_sha256', 'maid'] }) idTypes?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Most common traits.country values of consented members' }) geography?: string[];
  @ApiPropertyOptional({ type: [String], description: 'Audience sources' }) dataSources?: string[];
  @ApiPropertyOptional({ type: [String] }) channels?: string[];
  @ApiPropertyOptional({ type: [String], description: 'first_party, second_party, third_party' }) audienceTypes?: string[];
  @ApiPropertyOptional({ nullable: true }) refreshedAt?: string | null;
  @ApiPropertyOptional() segmentComputedAt?: string;
  @ApiPropertyOptional({ nullable: true }) lookbackDays?: number | null;
  @ApiPropertyOptional() taxonomyVersion?: string;
  @ApiPropertyOptional({ type: [TaxonomyRefDto] }) taxonomy?: TaxonomyRefDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) consent?: { framework: string; requiredPurposes: number[] };
  @ApiPropertyOptional() labelComputedAt?: string;
}

export class ListingDto {
  @ApiProperty() id: string;
  @ApiProperty() organizationId: string;
  @ApiProperty() segmentId: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: [Number] }) taxonomyIds: number[];
  @ApiProperty({ type: PricingDto }) pricing: PricingDto;
  @ApiProperty() licenseDays: number;
  @ApiProperty({ type: [Number] }) requiredPurposes: number[];
  @ApiProperty({ type: DataLabelDto }) dataLabel: DataLabelDto;
  @ApiProperty({ enum: LISTING_STATUSES }) status: ListingStatus;
  @ApiPropertyOptional({ description: 'Why an admin rejected it' }) rejectionReason?: string;
  @ApiPropertyOptional() suspensionReason?: string;
  @ApiProperty({ type: [ModerationEventDto] }) moderation: ModerationEventDto[];
  @ApiProperty() version: number;
  @ApiProperty({ description: 'Exact consented size at submission (owner and admins only)' }) consentedSize: number;
  @ApiPropertyOptional({ oneOf: [{ type: 'integer' }, { type: 'string' }], description: 'Public estimate once approved' })
  sizeEstimate?: number | string;
  @ApiPropertyOptional() submittedAt?: string;
  @ApiPropertyOptional() approvedAt?: string;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;
}
export class ListingPageDto extends PageOf(ListingDto) {}
