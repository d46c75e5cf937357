import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import type { ExclusionReason } from '../../deliveries/delivery.schema';
import { LISTING_STATUSES, type ListingStatus } from '../../listings/listing.schema';
import type { OrderStatus } from '../../orders/order.schema';

export class AnalyticsRangeQuery {
  @ApiPropertyOptional({ description: 'Start of the range, inclusive (ISO 8601). Default: `to` − 30 days.', example: '2025-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'End of the range, exclusive (ISO 8601). Default: now. At most 2 years after `from`.', example: '2025-03-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** Swagger shape of a by-currency amount map: {eur: 12000, usd: 2400}. */
const MONEY = { type: 'object', additionalProperties: { type: 'integer' }, example: { eur: 12000 } } as const;

export class ExclusionsByReasonDto implements Record<ExclusionReason, number> {
  @ApiProperty() no_consent: number;
  @ApiProperty() denied: number;
  @ApiProperty() revoked: number;
  @ApiProperty() missing_purpose: number;
  @ApiProperty() no_vendor_consent: number;
  @ApiProperty() erased: number;
  @ApiProperty({ description: 'Trimmed to the quantity bought; not a consent exclusion' }) over_quantity: number;
}

export class ListingsByStatusDto implements Record<ListingStatus, number> {
  @ApiProperty() draft: number;
  @ApiProperty() pending_review: number;
  @ApiProperty() approved: number;
  @ApiProperty() rejected: number;
  @ApiProperty() suspended: number;
  @ApiProperty() archived: number;
}

export class OrdersByStatusDto implements Record<OrderStatus, number> {
  @ApiProperty() pending_payment: number;
  @ApiProperty() paid: number;
  @ApiProperty() payment_failed: number;
  @ApiProperty() refunded: number;
  @ApiProperty() disputed: number;
  @ApiProperty() canceled: number;
}

export class ListingRevenueDto {
  @ApiProperty() listingId: string;
  @ApiProperty() title: string;
  @ApiProperty({ example: 'eur' }) currency: string;
  @ApiProperty({ description: 'Net revenue (seller share) of this listing in the range, minor units' }) revenue: number;
  @ApiProperty({ description: 'Orders of this listing charged in the range' }) orders: number;
}

export class MonthRevenueDto {
  @ApiProperty({ example: '2025-02', description: 'UTC calendar month of the money movements' }) month: string;
  @ApiProperty({ example: 'eur' }) currency: string;
  @ApiProperty() revenue: number;
}

export class PublisherListingStatsDto {
  @ApiProperty() listingId: string;
  @ApiProperty() title: string;
  @ApiProperty({ enum: LISTING_STATUSES }) status: ListingStatus;
  @ApiProperty({ ...MONEY, description: 'Net revenue by currency' }) revenue: Record<string, number>;
  @ApiProperty() orders: number;
  @ApiProperty() deliveries: number;
  @ApiProperty() recordsDelivered: number;
  @ApiProperty({ description: 'Records excluded for consent reasons (all but over_quantity)' }) consentExclusions: number;
  @ApiProperty({ type: Number, nullable: true }) consentExclusionRate: number | null;
  @ApiProperty() overlapRequests: number;
  @ApiProperty({ description: 'Identifiers submitted in those overlap requests' }) overlapIdentifiersSubmitted: number;
}

export class PublisherAnalyticsDto {
  @ApiProperty({ description: 'Inclusive start of the range, ISO 8601' }) from: string;
  @ApiProperty({ description: 'Exclusive end of the range, ISO 8601' }) to: string;
  @ApiProperty({ ...MONEY, description: 'Seller share of ledger movements in the range (charges − refunds − lost disputes), by currency' })
  revenue: Record<string, number>;
  @ApiProperty({ ...MONEY, description: 'Buyer-paid amounts of the same movements (revenue + platformFees)' }) gross: Record<string, number>;
  @ApiProperty({ ...MONEY, description: 'Platform fees of the same movements' }) platformFees: Record<string, number>;
  @ApiProperty({ type: [ListingRevenueDto] }) revenueByListing: ListingRevenueDto[];
  @ApiProperty({ type: [MonthRevenueDto] }) revenueByMonth: MonthRevenueDto[];
  @ApiProperty({ description: 'Orders charged in the range' }) orders: number;
  @ApiProperty({ description: 'Distinct buyer organizations of those orders' }) distinctBuyers: number;
  @ApiProperty() deliveries: number;
  @ApiProperty({ description: 'Records in ready deliveries created in the range' }) recordsDelivered: number;
  @ApiProperty({ description: 'Records excluded for consent reasons in those deliveries' }) consentExclusions: number;
  @ApiProperty({ type: Number, nullable: true, description: 'consentExclusions / (recordsDelivered + consentExclusions); null without deliveries' })
  consentExclusionRate: number | null;
  @ApiProperty({ type: ExclusionsByReasonDto, description: 'Excluded records per reason (over_quantity included here, not in the rate)' })
  exclusionsByReason: ExclusionsByReasonDto;
  @ApiProperty({ description: 'Overlap requests against its listings in the range' }) overlapRequestsReceived: number;
  @ApiProperty() overlapIdentifiersSubmitted: number;
  @ApiProperty({ type: [PublisherListingStatsDto] }) perListing: PublisherListingStatsDto[];
}

export class AdvertiserAnalyticsDto {
  @ApiProperty({ description: 'Inclusive start of the range, ISO 8601' }) from: string;
  @ApiProperty({ description: 'Exclusive end of the range, ISO 8601' }) to: string;
  @ApiProperty({ ...MONEY, description: 'Amounts paid minus amounts returned (refunds, lost disputes) in the range, by currency' })
  spend: Record<string, number>;
  @ApiProperty({ description: 'Orders charged in the range' }) orders: number;
  @ApiProperty() deliveries: number;
  @ApiProperty({ description: 'Records in ready deliveries created in the range' }) recordsReceived: number;
  @ApiProperty() consentExclusions: number;
  @ApiProperty({ type: Number, nullable: true }) consentExclusionRate: number | null;
  @ApiProperty({ type: ExclusionsByReasonDto }) exclusionsByReason: ExclusionsByReasonDto;
  @ApiProperty({ description: 'Notices not yet acknowledged (now, whatever the range)' }) noticesPending: number;
}

export class ModerationStatsDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Median seconds from submit to approve/reject, over decisions taken in the range' })
  medianTimeToDecisionSeconds: number | null;
  @ApiProperty() decisions: number;
  @ApiProperty() approved: number;
  @ApiProperty() rejected: number;
}

export class OrgCountsDto {
  @ApiProperty() publishers: number;
  @ApiProperty() advertisers: number;
}

export class AdminAnalyticsDto {
  @ApiProperty({ description: 'Inclusive start of the range, ISO 8601' }) from: string;
  @ApiProperty({ description: 'Exclusive end of the range, ISO 8601' }) to: string;
  @ApiProperty({ ...MONEY, description: 'Buyer-paid amounts of ledger movements in the range, net of refunds and lost disputes' })
  gmv: Record<string, number>;
  @ApiProperty({ ...MONEY }) platformFees: Record<string, number>;
  @ApiProperty({ ...MONEY, description: 'publisherRevenue + platformFees = gmv, per currency' }) publisherRevenue: Record<string, number>;
  @ApiProperty({ ...MONEY, description: 'Charges alone (before refunds)' }) charged: Record<string, number>;
  @ApiProperty({ ...MONEY, description: 'Refunded and lost-dispute amounts, as positive numbers' }) returned: Record<string, number>;
  @ApiProperty({ description: 'Orders charged in the range' }) orders: number;
  @ApiProperty({ type: ListingsByStatusDto, description: 'All listings now, by status (not limited to the range)' }) listingsByStatus: ListingsByStatusDto;
  @ApiProperty({ type: ModerationStatsDto }) moderation: ModerationStatsDto;
  @ApiProperty({ type: OrgCountsDto, description: 'Organizations with activity in the range (see docs/analytics.md)' }) activeOrganizations: OrgCountsDto;
  @ApiProperty({ type: OrgCountsDto, description: 'All registered organizations now' }) registeredOrganizations: OrgCountsDto;
  @ApiProperty({ type: OrdersByStatusDto, description: 'Orders placed in the range, by current status' }) ordersByStatus: OrdersByStatusDto;
}
