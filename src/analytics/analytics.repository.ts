import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { op } from '../common/trusted';
import { Delivery, EXCLUSION_REASONS, type ExclusionReason } from '../deliveries/delivery.schema';
import { Notice } from '../deliveries/notice.schema';
import { Listing, type ListingStatus, type ModerationEvent } from '../listings/listing.schema';
import { OverlapQuery } from '../matching/overlap-query.schema';
import { Order, type OrderStatus } from '../orders/order.schema';
import { Organization, type OrganizationKind } from '../organizations/organization.schema';
import { LedgerEntry } from '../payments/ledger-entry.schema';
import type { DateRange, Movement, OrderFacts } from './analytics.math';

/*
 * Read-only queries behind the KPIs. Only stages FerretDB v1.24 runs are used: $match, $group with $sum, $sort and
 * plain $project, and one accumulator per $group (see sumsByGroup); no $lookup, so joins (ledger → order) are done by id in application code, in bounded chunks.
 * find() filters go through sanitizeFilter, hence op(); aggregate() pipelines are not sanitized.
 */

export type OrderSide = 'sellerOrgId' | 'buyerOrgId';

export interface DeliveryTotals {
  listingId: string;
  deliveries: number;
  records: number;
  excluded: Record<ExclusionReason, number>;
}

export interface OverlapTotals {
  listingId: string;
  requests: number;
  identifiers: number;
}

export interface LedgerTotals {
  currency: string;
  kind: Movement['kind'];
  amount: number;
  platformFee: number;
  sellerNet: number;
  entries: number;
}

const ID_CHUNK = 500;

/**
 * Sums several fields per group. FerretDB v1.24 computes only the FIRST accumulator of a $group (the others come
 * back 0 — probed on v1.24.2, see docs/analytics.md), so each sum runs as its own
 * $match + $group pipeline, in parallel, and the groups are merged here by their key.
 */
async function sumsByGroup<T extends Record<string, number>>(
  model: Model<any>,
  match: Record<string, unknown>,
  groupId: unknown,
  sums: Record<keyof T & string, string | 1>,
): Promise<({ _id: any } & T)[]> {
  const names = Object.keys(sums);
  const results = await Promise.all(
    names.map((name) => model.aggregate<{ _id: unknown; v: number }>([{ $match: match }, { $group: { _id: groupId, v: { $sum: sums[name] } } }]).exec()),
  );
  const merged = new Map<string, { _id: any } & Record<string, number>>();
  results.forEach((rows, i) => {
    for (const row of rows) {
      const key = JSON.stringify(row._id);
      const into = merged.get(key) ?? ({ _id: row._id } as { _id: any } & Record<string, number>);
      into[names[i]] = row.v;
      merged.set(key, into);
    }
  });
  return [...merged.values()].map((g) => Object.assign(Object.fromEntries(names.map((n) => [n, 0])), g) as { _id: any } & T);
}

const oid = (id: string) => new Types.ObjectId(id);
const range = (r: DateRange) => ({ $gte: r.from, $lt: r.to });

@Injectable()
export class AnalyticsRepository {
  constructor(
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    @InjectModel(LedgerEntry.name) private readonly ledger: Model<LedgerEntry>,
    @InjectModel(Listing.name) private readonly listings: Model<Listing>,
    @InjectModel(Delivery.name) private readonly deliveries: Model<Delivery>,
    @InjectModel(Notice.name) private readonly notices: Model<Notice>,
    @InjectModel(OverlapQuery.name) private readonly overlaps: Model<OverlapQuery>,
    @InjectModel(Organization.name) private readonly organizations: Model<Organization>,
  ) {}

  /**
   * The org's orders placed before the range ends (no money can move on an order before it exists), keyed by id.
   * Bounded by one tenant's orders; uses the {sellerOrgId|buyerOrgId, _id} indexes.
   */
  async ordersOf(side: OrderSide, orgId: string, before: Date): Promise<Map<string, OrderFacts>> {
    const out = new Map<string, OrderFacts>();
    const cursor = this.orders
      .find({ [side]: oid(orgId) })
      .select({ _id: 1, listingId: 1, buyerOrgId: 1, sellerOrgId: 1, 'snapshot.title': 1 })
      .lean()
      .cursor();
    for await (const o of cursor) {
      out.set(String(o._id), {
        listingId: String(o.listingId),
        buyerOrgId: String(o.buyerOrgId),
        sellerOrgId: String(o.sellerOrgId),
        title: o.snapshot?.title ?? '',
      });
    }
    return out;
  }

  /** Ledger movements of these orders in the range, in chunks of ids (the {orderId, kind} index serves each chunk). */
  async movementsOf(orderIds: string[], r: DateRange): Promise<Movement[]> {
    const out: Movement[] = [];
    for (let i = 0; i < orderIds.length; i += ID_CHUNK) {
      const ids = orderIds.slice(i, i + ID_CHUNK).map(oid);
      const rows = await this.ledger
        .find({ orderId: op({ $in: ids }), at: op(range(r)) })
        .select({ _id: 0, orderId: 1, kind: 1, amount: 1, platformFee: 1, sellerNet: 1, currency: 1, at: 1 })
        .lean()
        .exec();
      for (const e of rows) {
        out.push({ orderId: String(e.orderId), kind: e.kind, amount: e.amount, platformFee: e.platformFee, sellerNet: e.sellerNet, currency: e.currency, at: e.at });
      }
    }
    return out;
  }

  /** Platform-wide ledger sums in the range, per currency and kind. */
  async ledgerTotals(r: DateRange): Promise<LedgerTotals[]> {
    const rows = await sumsByGroup<{ amount: number; platformFee: number; sellerNet: number; entries: number }>(
      this.ledger,
      { at: range(r) },
      { currency: '$currency', kind: '$kind' },
      { amount: '$amount', platformFee: '$platformFee', sellerNet: '$sellerNet', entries: 1 },
    );
    return rows.map((g) => ({ currency: g._id.currency, kind: g._id.kind, amount: g.amount, platformFee: g.platformFee, sellerNet: g.sellerNet, entries: g.entries }));
  }

  /** Ready deliveries created in the range for one side of the trade, per listing. */
  async deliveryTotals(side: OrderSide, orgId: string, r: DateRange): Promise<DeliveryTotals[]> {
    const reasonSums = Object.fromEntries(EXCLUSION_REASONS.map((reason) => [reason, `$manifest.excluded.${reason}`]));
    const rows = await sumsByGroup<Record<string, number>>(
      this.deliveries,
      { [side]: oid(orgId), status: 'ready', createdAt: range(r) },
      '$listingId',
      { deliveries: 1, records: '$recordCount', ...reasonSums },
    );
    return rows.map((g) => ({
      listingId: String(g._id),
      deliveries: g.deliveries,
      records: g.records,
      excluded: Object.fromEntries(EXCLUSION_REASONS.map((reason) => [reason, g[reason] ?? 0])) as Record<ExclusionReason, number>,
    }));
  }

  /** Overlap requests made against the seller's listings in the range, per listing. */
  async overlapTotals(sellerOrgId: string, r: DateRange): Promise<OverlapTotals[]> {
    const rows = await sumsByGroup<{ requests: number; identifiers: number }>(
      this.overlaps,
      { sellerOrgId: oid(sellerOrgId), at: range(r) },
      '$listingId',
      { requests: 1, identifiers: '$submitted' },
    );
    return rows.map((g) => ({ listingId: String(g._id), requests: g.requests, identifiers: g.identifiers }));
  }

  countPendingNotices(buyerOrgId: string): Promise<number> {
    return this.notices.countDocuments({ buyerOrgId: oid(buyerOrgId), status: 'pending' }).exec();
  }

  /** The org's listings (id, title, status): one tenant's catalogue. */
  async listingsOf(orgId: string): Promise<{ id: string; title: string; status: ListingStatus }[]> {
    const rows = await this.listings.find({ orgId: oid(orgId) }).select({ _id: 1, title: 1, status: 1 }).sort({ _id: 1 }).lean().exec();
    return rows.map((l) => ({ id: String(l._id), title: l.title, status: l.status }));
  }

  async countListingsByStatus(): Promise<Partial<Record<ListingStatus, number>>> {
    const rows = await this.listings.aggregate<{ _id: ListingStatus; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((g) => [g._id, g.n]));
  }

  async countOrdersByStatus(r: DateRange): Promise<Partial<Record<OrderStatus, number>>> {
    const rows = await this.orders.aggregate<{ _id: OrderStatus; n: number }>([
      { $match: { createdAt: range(r) } },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ]);
    return Object.fromEntries(rows.map((g) => [g._id, g.n]));
  }

  /** Moderation histories of listings with any moderation event in the range (one listing at a time). */
  async *moderationHistories(r: DateRange): AsyncGenerator<ModerationEvent[]> {
    const cursor = this.listings.find({ 'moderation.at': op(range(r)) }).select({ _id: 0, moderation: 1 }).lean().cursor();
    for await (const l of cursor) yield (l.moderation ?? []) as ModerationEvent[];
  }

  /** Distinct (buyer, seller) pairs of orders placed or paid in the range. */
  async orderParties(r: DateRange): Promise<{ buyerOrgId: string; sellerOrgId: string }[]> {
    const rows = await this.orders.aggregate<{ _id: { buyer: Types.ObjectId; seller: Types.ObjectId } }>([
      { $match: { $or: [{ createdAt: range(r) }, { paidAt: range(r) }] } },
      { $group: { _id: { buyer: '$buyerOrgId', seller: '$sellerOrgId' } } },
    ]);
    return rows.map((g) => ({ buyerOrgId: String(g._id.buyer), sellerOrgId: String(g._id.seller) }));
  }

  /** Distinct owners of listings created or submitted in the range. */
  async listingOwners(r: DateRange): Promise<string[]> {
    const rows = await this.listings.aggregate<{ _id: Types.ObjectId }>([
      { $match: { $or: [{ createdAt: range(r) }, { submittedAt: range(r) }] } },
      { $group: { _id: '$orgId' } },
    ]);
    return rows.map((g) => String(g._id));
  }

  async countOrganizationsByKind(): Promise<Partial<Record<OrganizationKind, number>>> {
    const rows = await this.organizations.aggregate<{ _id: OrganizationKind; n: number }>([{ $group: { _id: '$kind', n: { $sum: 1 } } }]);
    return Object.fromEntries(rows.map((g) => [g._id, g.n]));
  }
}
