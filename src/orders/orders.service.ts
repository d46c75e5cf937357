import { HttpStatus, Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { type AuthContext } from '../common/auth.decorators';
import { rootLogger } from '../common/logger';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, toPage } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Listing } from '../listings/listing.schema';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { InjectStripe, type StripeClient } from '../payments/stripe.provider';
import { checkoutIdempotencyKey, checkoutSessionParams } from './checkout';
import { type CreateOrderDto, type OrderDto, type OrderQuery, toOrderDto } from './dto/order.dto';
import { ListingsReader } from './listings.reader';
import type { ListingSnapshot } from './order.schema';
import { type OrderScope, OrdersRepository } from './orders.repository';
import { priceOrder } from './pricing';

const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };

export function snapshotOf(listing: Listing): ListingSnapshot {
  return {
    listingId: String(listing._id),
    version: listing.version,
    title: listing.title,
    segmentId: String(listing.segmentId),
    pricing: { model: listing.pricing.model, amount: listing.pricing.amount, currency: listing.pricing.currency.toLowerCase() },
    licenseDays: listing.licenseDays,
    requiredPurposes: [...(listing.requiredPurposes ?? [])],
    taxonomyIds: [...(listing.taxonomyIds ?? [])],
  };
}

/** Buyers see what they bought, sellers what was bought from them, admins everything. */
export function scopeOf(auth: AuthContext): OrderScope {
  if (auth.role === 'admin') return 'all';
  return auth.role === 'publisher' ? { sellerOrgId: auth.orgId } : { buyerOrgId: auth.orgId };
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectStripe() private readonly stripe: StripeClient,
    private readonly orders: OrdersRepository,
    private readonly listings: ListingsReader,
    private readonly orgs: OrganizationsRepository,
    private readonly audit: AuditService,
  ) {}

  async create(auth: AuthContext, input: CreateOrderDto): Promise<OrderDto> {
    const listing = await this.listings.findById(input.listingId);
    if (!listing) throw AppError.notFound('Listing');
    if (String(listing.orgId) === auth.orgId) throw AppError.forbidden('OWN_LISTING', 'An organization cannot buy its own listing');
    if (listing.status !== 'approved') throw AppError.conflict('LISTING_NOT_AVAILABLE', 'The listing is not available for purchase');
    const seller = await this.orgs.findById(listing.orgId);
    if (!seller?.stripeAccountId || !seller.chargesEnabled || seller.status !== 'active') {
      throw AppError.conflict('SELLER_NOT_PAYABLE', 'The publisher cannot receive payments yet');
    }
    const price = priceOrder(listing.pricing, input.quantity, this.config.stripe.platformFeeBps);

    const order = await this.orders.create({
      buyerOrgId: new Types.ObjectId(auth.orgId),
      buyerUserId: new Types.ObjectId(auth.userId),
      sellerOrgId: listing.orgId,
      listingId: listing._id,
      snapshot: snapshotOf(listing),
      quantity: price.quantity,
      amount: price.amount,
      platformFee: price.platformFee,
      currency: price.currency,
    });
    const orderId = String(order._id);

    let session;
    try {
      session = await this.stripe.checkout.sessions.create(
        checkoutSessionParams(order, seller.stripeAccountId, this.config.stripe),
        { idempotencyKey: checkoutIdempotencyKey(orderId) },
      );
    } catch (e: any) {
      // The order stays pending_payment without a checkout URL: nothing can be paid, and if Stripe did create a
      // session after all, its webhook still finds the order by id.
      rootLogger().error({ orderId, err: { type: e?.type, code: e?.code, message: e?.message } }, 'checkout session failed');
      throw new AppError(HttpStatus.BAD_GATEWAY, 'PAYMENT_PROVIDER_ERROR', 'Could not start the payment; try again');
    }
    const paymentIntentId = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
    const updated = await this.orders.attachCheckout(order._id, { sessionId: session.id, url: session.url, paymentIntentId });
    await this.audit.record(auth, {
      action: 'order.create',
      targetType: 'order',
      targetId: orderId,
      orgId: auth.orgId,
      details: { listingId: String(listing._id), amount: price.amount, platformFee: price.platformFee, currency: price.currency },
    });
    return toOrderDto(updated ?? order);
  }

  async list(auth: AuthContext, q: OrderQuery): Promise<Page<OrderDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.orders.findPage(scopeOf(auth), NEWEST_FIRST, limit, q.cursor);
    const now = new Date();
    return toPage(docs, limit, NEWEST_FIRST, (o) => toOrderDto(o, now));
  }

  async get(auth: AuthContext, id: string): Promise<OrderDto> {
    const order = await this.orders.findVisible(id, scopeOf(auth));
    if (!order) throw AppError.notFound('Order');
    return toOrderDto(order);
  }
}
