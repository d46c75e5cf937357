import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsMongoId, IsOptional, Max, Min } from 'class-validator';
import { PageOf, PageQuery } from '../../common/pagination';
import { ORDER_STATUSES, type Order, type OrderStatus } from '../order.schema';
import { isLicenseActive } from '../order-state';
import { MAX_CPM_QUANTITY } from '../pricing';

/** The client names what it buys, never a price: amount and fee are computed from the listing. */
export class CreateOrderDto {
  @ApiProperty({ description: 'An approved listing id' })
  @IsMongoId()
  listingId: string;

  @ApiPropertyOptional({
    description: 'CPM listings only: records to buy, a positive multiple of 1000 (the price is per thousand). Omit for flat.',
    minimum: 1000,
    maximum: MAX_CPM_QUANTITY,
    example: 25000,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_CPM_QUANTITY)
  quantity?: number;
}

export class OrderQuery extends PageQuery {}

class PricingDto {
  @ApiProperty({ enum: ['cpm', 'flat'] }) model: 'cpm' | 'flat';
  @ApiProperty({ description: 'Minor units: per thousand records (cpm) or the whole price (flat)' }) amount: number;
  @ApiProperty({ example: 'eur' }) currency: string;
}

export class OrderSnapshotDto {
  @ApiProperty() listingId: string;
  @ApiProperty() version: number;
  @ApiProperty() title: string;
  @ApiProperty({ type: PricingDto }) pricing: PricingDto;
  @ApiProperty() licenseDays: number;
  @ApiProperty({ type: [Number] }) requiredPurposes: number[];
  @ApiProperty({ type: [Number] }) taxonomyIds: number[];
}

export class LicenseDto {
  @ApiProperty() startsAt: string;
  @ApiProperty() expiresAt: string;
  @ApiPropertyOptional() endedAt?: string;
  @ApiPropertyOptional({ enum: ['refunded', 'dispute_lost'] }) endReason?: 'refunded' | 'dispute_lost';
  @ApiProperty({ description: 'Paid, started, not ended, not expired: deliveries allowed now' }) active: boolean;
}

export class RefundRequestDto {
  @ApiProperty() requestedAt: string;
  @ApiProperty() stripeRefundId: string;
}

export class DisputeDto {
  @ApiProperty({ enum: ['open', 'won', 'lost'] }) status: 'open' | 'won' | 'lost';
  @ApiProperty() openedAt: string;
  @ApiPropertyOptional() closedAt?: string;
}

export class OrderDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: OrderStatus;
  @ApiProperty() listingId: string;
  @ApiProperty() buyerOrgId: string;
  @ApiProperty() sellerOrgId: string;
  @ApiProperty({ description: 'Total charged to the buyer, minor units' }) amount: number;
  @ApiProperty({ description: 'Audex platform fee, minor units (PLATFORM_FEE_BPS of amount, rounded half up)' }) platformFee: number;
  @ApiProperty({ example: 'eur' }) currency: string;
  @ApiPropertyOptional({ description: 'CPM orders: records bought' }) quantity?: number;
  @ApiProperty({ type: String, nullable: true, description: 'Stripe Checkout page to pay this order' }) checkoutUrl: string | null;
  @ApiProperty({ type: OrderSnapshotDto }) snapshot: OrderSnapshotDto;
  @ApiPropertyOptional({ type: LicenseDto }) license?: LicenseDto;
  @ApiPropertyOptional({ type: RefundRequestDto, description: 'Set when an admin asked Stripe for a refund; status follows the webhook' })
  refund?: RefundRequestDto;
  @ApiPropertyOptional({ type: DisputeDto }) dispute?: DisputeDto;
  @ApiPropertyOptional() paidAt?: string;
  @ApiPropertyOptional() refundedAt?: string;
  @ApiProperty() createdAt: string;
}
export class OrderPageDto extends PageOf(OrderDto) {}

export function toOrderDto(o: Order, now = new Date()): OrderDto {
  const iso = (d?: Date) => (d ? new Date(d).toISOString() : undefined);
  const s = o.snapshot;
  const license = o.license;
  return {
    id: String(o._id),
    status: o.status,
    listingId: String(o.listingId),
    buyerOrgId: String(o.buyerOrgId),
    sellerOrgId: String(o.sellerOrgId),
    amount: o.amount,
    platformFee: o.platformFee,
    currency: o.currency,
    quantity: o.quantity,
    checkoutUrl: o.checkoutUrl ?? null,
    snapshot: {
      listingId: s.listingId,
      version: s.version,
      title: s.title,
      pricing: { model: s.pricing.model, amount: s.pricing.amount, currency: s.pricing.currency },
      licenseDays: s.licenseDays,
      requiredPurposes: s.requiredPurposes,
      taxonomyIds: s.taxonomyIds,
    },
    license: license
      ? {
          startsAt: iso(license.startsAt)!,
          expiresAt: iso(license.expiresAt)!,
          endedAt: iso(license.endedAt),
          endReason: license.endReason,
          active: isLicenseActive(o, now),
        }
      : undefined,
    refund: o.refund ? { requestedAt: iso(o.refund.requestedAt)!, stripeRefundId: o.refund.stripeRefundId } : undefined,
    dispute: o.dispute ? { status: o.dispute.status, openedAt: iso(o.dispute.openedAt)!, closedAt: iso(o.dispute.closedAt) } : undefined,
    paidAt: iso(o.paidAt),
    refundedAt: iso(o.refundedAt),
    createdAt: iso(o.createdAt)!,
  };
}
