import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { op } from '../common/trusted';
import { type DisputeInfo, type ListingSnapshot, Order, type RefundRequest } from './order.schema';
import { licenseFor, TRANSITIONS } from './order-state';
import { StateClaims } from '../common/state-claims';

export interface NewOrder {
  buyerOrgId: Types.ObjectId;
  buyerUserId: Types.ObjectId;
  sellerOrgId: Types.ObjectId;
  listingId: Types.ObjectId;
  snapshot: ListingSnapshot;
  quantity?: number;
  amount: number;
  platformFee: number;
  currency: string;
}

/** Who may see an order: its buyer org, its seller org, or everyone (admin). */
export type OrderScope = { buyerOrgId: string } | { sellerOrgId: string } | 'all';

const statusIn = (fact: keyof typeof TRANSITIONS) => op({ $in: [...TRANSITIONS[fact].from] });

/**
 * Every mongoose call on `orders`. Payment transitions are single compare-and-set updates whose filter names the
 * states the fact applies to (order-state.ts); null means "did not apply" (replay, race, wrong state).
 */
@Injectable()
export class OrdersRepository {
  constructor(
    @InjectModel(Order.name) private readonly model: Model<Order>,
    private readonly claims: StateClaims,
  ) {}

  async create(input: NewOrder): Promise<Order> {
    const doc = await this.model.create({ ...input, status: 'pending_payment' });
    return doc.toObject();
  }

  attachCheckout(id: Types.ObjectId, session: { sessionId: string; url: string | null; paymentIntentId: string | null }): Promise<Order | null> {
    const set: Record<string, unknown> = { stripeCheckoutSessionId: session.sessionId };
    if (session.url) set.checkoutUrl = session.url;
    if (session.paymentIntentId) set.stripePaymentIntentId = session.paymentIntentId;
    return this.model.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' }).lean<Order>().exec();
  }

  findById(id: string | Types.ObjectId): Promise<Order | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findById(id).lean<Order>().exec();
  }

  findVisible(id: string, scope: OrderScope): Promise<Order | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.model.findOne({ _id: id, ...scopeFilter(scope) }).lean<Order>().exec();
  }

  findPage(scope: OrderScope, sort: KeysetSort, limit: number, cursor?: string): Promise<Order[]> {
    const q = keysetQuery(sort, cursor);
    return this.model
      .find({ ...q.filter, ...scopeFilter(scope) })
      .sort(q.sort)
      .limit(limit + 1)
      .lean<Order[]>()
      .exec();
  }

  /** Newest order paid with this payment intent (charge and dispute events that carry no order id). */
  findByPaymentIntent(paymentIntentId: string): Promise<Order | null> {
    return this.model.findOne({ stripePaymentIntentId: paymentIntentId }).sort({ _id: -1 }).lean<Order>().exec();
  }

  markPaid(id: Types.ObjectId, at: Date, licenseDays: number, stripe: { sessionId: string; paymentIntentId?: string }): Promise<Order | null> {
    const set: Record<string, unknown> = {
      status: TRANSITIONS.paid.to,
      paidAt: at,
      license: licenseFor(at, licenseDays),
      stripeCheckoutSessionId: stripe.sessionId,
    };
    if (stripe.paymentIntentId) set.stripePaymentIntentId = stripe.paymentIntentId;
    return this.update({ _id: id, status: statusIn('paid') }, { $set: set });
  }

  markPaymentFailed(id: Types.ObjectId): Promise<Order | null> {
    return this.update({ _id: id, status: statusIn('payment_failed') }, { $set: { status: TRANSITIONS.payment_failed.to } });
  }

  /** Refund of a paid order: the licence ends with it. */
  markRefundedFromPaid(id: Types.ObjectId, at: Date, chargeId?: string): Promise<Order | null> {
    const set: Record<string, unknown> = {
      status: TRANSITIONS.refunded.to,
      refundedAt: at,
      'license.endedAt': at,
      'license.endReason': 'refunded',
    };
    if (chargeId) set.stripeChargeId = chargeId;
    return this.update({ _id: id, status: 'paid' }, { $set: set });
  }

  /** Refund that overtook the completion event: no licence was ever granted. */
  markRefundedFromPending(id: Types.ObjectId, at: Date, chargeId?: string): Promise<Order | null> {
    const set: Record<string, unknown> = { status: TRANSITIONS.refunded.to, refundedAt: at };
    if (chargeId) set.stripeChargeId = chargeId;
    return this.update({ _id: id, status: 'pending_payment' }, { $set: set });
  }

  markDisputed(id: Types.ObjectId, dispute: DisputeInfo): Promise<Order | null> {
    return this.update({ _id: id, status: statusIn('dispute_opened') }, { $set: { status: TRANSITIONS.dispute_opened.to, dispute } });
  }

  markDisputeWon(id: Types.ObjectId, at: Date): Promise<Order | null> {
    return this.update(
      { _id: id, status: statusIn('dispute_won') },
      { $set: { status: TRANSITIONS.dispute_won.to, 'dispute.status': 'won', 'dispute.closedAt': at } },
    );
  }

  markDisputeLost(id: Types.ObjectId, at: Date, dispute: DisputeInfo): Promise<Order | null> {
    return this.update(
      { _id: id, status: statusIn('dispute_lost'), 'license.endedAt': op({ $exists: false }) },
      {
        $set: {
          status: TRANSITIONS.dispute_lost.to,
          dispute: { ...dispute, status: 'lost', closedAt: at },
          'license.endedAt': at,
          'license.endReason': 'dispute_lost',
        },
      },
    );
  }

  /** Records an admin's refund request once; only a paid order without one matches. */
  setRefundRequested(id: Types.ObjectId, refund: RefundRequest): Promise<Order | null> {
    return this.update({ _id: id, status: 'paid', refund: op({ $exists: false }) }, { $set: { refund } });
  }

  /** A state change applied once even under concurrency, on MongoDB and FerretDB alike (see StateClaims). */
  private update(filter: Record<string, unknown>, update: Record<string, unknown>): Promise<Order | null> {
    return this.claims.transition(this.model, filter, update);
  }
}

function scopeFilter(scope: OrderScope): Record<string, unknown> {
  if (scope === 'all') return {};
  if ('buyerOrgId' in scope) return { buyerOrgId: new Types.ObjectId(scope.buyerOrgId) };
  return { sellerOrgId: new Types.ObjectId(scope.sellerOrgId) };
}
