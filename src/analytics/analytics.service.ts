import { Injectable } from '@nestjs/common';
import type { AuthContext } from '../common/auth.decorators';
import { LISTING_STATUSES, type ListingStatus } from '../listings/listing.schema';
import { ORDER_STATUSES, type OrderStatus } from '../orders/order.schema';
import {
  addExclusions,
  addMoney,
  consentExclusions,
  type DateRange,
  type Decision,
  decisionsIn,
  type ExclusionCounts,
  exclusionRate,
  foldMovements,
  median,
  type Money,
  noExclusions,
  resolveRange,
} from './analytics.math';
import { AnalyticsRepository, type DeliveryTotals, type OrderSide } from './analytics.repository';
import type {
  AdminAnalyticsDto,
  AdvertiserAnalyticsDto,
  AnalyticsRangeQuery,
  PublisherAnalyticsDto,
  PublisherListingStatsDto,
} from './dto/analytics.dto';

interface DeliverySummary {
  deliveries: number;
  records: number;
  excluded: ExclusionCounts;
}

function summarize(rows: DeliveryTotals[]): DeliverySummary {
  const out: DeliverySummary = { deliveries: 0, records: 0, excluded: noExclusions() };
  for (const r of rows) {
    out.deliveries += r.deliveries;
    out.records += r.records;
    addExclusions(out.excluded, r.excluded);
  }
  return out;
}

const sortedMoney = (m: Money): Money => Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));

/**
 * KPIs per docs/analytics.md. Money comes from the append-only ledger (the exact record of what moved and when), so
 * every figure reconciles: per movement amount = platformFee + sellerNet. A publisher or advertiser only ever sees
 * its own orders: the ledger is joined to orders selected by the caller's org id.
 */
@Injectable()
export class AnalyticsService {
  constructor(private readonly repo: AnalyticsRepository) {}

  async publisher(auth: AuthContext, q: AnalyticsRangeQuery, now = new Date()): Promise<PublisherAnalyticsDto> {
    const range = resolveRange(q.from, q.to, now);
    const money = await this.money('sellerOrgId', auth.orgId, range);
    const [deliveryRows, overlapRows, listings] = await Promise.all([
      this.repo.deliveryTotals('sellerOrgId', auth.orgId, range),
      this.repo.overlapTotals(auth.orgId, range),
      this.repo.listingsOf(auth.orgId),
    ]);
    const titles = new Map(listings.map((l) => [l.id, l.title]));
    const deliveries = summarize(deliveryRows);
    const consent = consentExclusions(deliveries.excluded);

    const perListing = new Map<string, PublisherListingStatsDto>();
    const row = (listingId: string): PublisherListingStatsDto => {
      let r = perListing.get(listingId);
      if (!r) {
        const l = listings.find((x) => x.id === listingId);
        r = {
          listingId,
          title: l?.title ?? '',
          status: (l?.status ?? 'archived') as ListingStatus,
          revenue: {},
          orders: 0,
          deliveries: 0,
          recordsDelivered: 0,
          consentExclusions: 0,
          consentExclusionRate: null,
          overlapRequests: 0,
          overlapIdentifiersSubmitted: 0,
        };
        perListing.set(listingId, r);
      }
      return r;
    };
    // Every approved listing shows, even without activity; others only when something happened in the range.
    for (const l of listings) if (l.status === 'approved') row(l.id);
    for (const m of money.fold.byListing.values()) {
      const r = row(m.listingId);
      addMoney(r.revenue, m.currency, m.revenue);
      r.orders += m.orders;
    }
    for (const d of deliveryRows) {
      const r = row(d.listingId);
      const excluded = consentExclusions(addExclusions(noExclusions(), d.excluded));
      r.deliveries += d.deliveries;
      r.recordsDelivered += d.records;
      r.consentExclusions += excluded;
      r.consentExclusionRate = exclusionRate(r.recordsDelivered, r.consentExclusions);
    }
    for (const o of overlapRows) {
      const r = row(o.listingId);
      r.overlapRequests += o.requests;
      r.overlapIdentifiersSubmitted += o.identifiers;
    }

    const title = (listingId: string) => titles.get(listingId) ?? money.titles.get(listingId) ?? '';
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      revenue: sortedMoney(money.fold.sellerNet),
      gross: sortedMoney(money.fold.gross),
      platformFees: sortedMoney(money.fold.platformFees),
      revenueByListing: [...money.fold.byListing.values()]
        .map((m) => ({ listingId: m.listingId, title: title(m.listingId), currency: m.currency, revenue: m.revenue, orders: m.orders }))
        .sort((a, b) => b.revenue - a.revenue || a.listingId.localeCompare(b.listingId) || a.currency.localeCompare(b.currency)),
      revenueByMonth: [...money.fold.byMonth.values()].sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency)),
      orders: money.fold.orders,
      distinctBuyers: money.fold.buyers.size,
      deliveries: deliveries.deliveries,
      recordsDelivered: deliveries.records,
      consentExclusions: consent,
      consentExclusionRate: exclusionRate(deliveries.records, consent),
      exclusionsByReason: deliveries.excluded,
      overlapRequestsReceived: overlapRows.reduce((n, o) => n + o.requests, 0),
      overlapIdentifiersSubmitted: overlapRows.reduce((n, o) => n + o.identifiers, 0),
      perListing: [...perListing.values()]
        .map((r) => ({ ...r, title: r.title || title(r.listingId), revenue: sortedMoney(r.revenue) }))
        .sort((a, b) => a.listingId.localeCompare(b.listingId)),
    };
  }

  async advertiser(auth: AuthContext, q: AnalyticsRangeQuery, now = new Date()): Promise<AdvertiserAnalyticsDto> {
    const range = resolveRange(q.from, q.to, now);
    const [money, deliveryRows, noticesPending] = await Promise.all([
      this.money('buyerOrgId', auth.orgId, range),
      this.repo.deliveryTotals('buyerOrgId', auth.orgId, range),
      this.repo.countPendingNotices(auth.orgId),
    ]);
    const deliveries = summarize(deliveryRows);
    const consent = consentExclusions(deliveries.excluded);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      spend: sortedMoney(money.fold.gross),
      orders: money.fold.orders,
      deliveries: deliveries.deliveries,
      recordsReceived: deliveries.records,
      consentExclusions: consent,
      consentExclusionRate: exclusionRate(deliveries.records, consent),
      exclusionsByReason: deliveries.excluded,
      noticesPending,
    };
  }

  async admin(q: AnalyticsRangeQuery, now = new Date()): Promise<AdminAnalyticsDto> {
    const range = resolveRange(q.from, q.to, now);
    const [ledger, listingsByStatus, ordersByStatus, parties, listingOwners, registered, decisions] = await Promise.all([
      this.repo.ledgerTotals(range),
      this.repo.countListingsByStatus(),
      this.repo.countOrdersByStatus(range),
      this.repo.orderParties(range),
      this.repo.listingOwners(range),
      this.repo.countOrganizationsByKind(),
      this.decisions(range),
    ]);
    const gmv: Money = {};
    const platformFees: Money = {};
    const publisherRevenue: Money = {};
    const charged: Money = {};
    const returned: Money = {};
    let orders = 0;
    for (const g of ledger) {
      addMoney(gmv, g.currency, g.amount);
      addMoney(platformFees, g.currency, g.platformFee);
      addMoney(publisherRevenue, g.currency, g.sellerNet);
      if (g.kind === 'charge') {
        addMoney(charged, g.currency, g.amount);
        orders += g.entries;
      } else addMoney(returned, g.currency, -g.amount);
    }
    const publishers = new Set(listingOwners);
    const advertisers = new Set<string>();
    for (const p of parties) {
      publishers.add(p.sellerOrgId);
      advertisers.add(p.buyerOrgId);
    }
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      gmv: sortedMoney(gmv),
      platformFees: sortedMoney(platformFees),
      publisherRevenue: sortedMoney(publisherRevenue),
      charged: sortedMoney(charged),
      returned: sortedMoney(returned),
      orders,
      listingsByStatus: Object.fromEntries(LISTING_STATUSES.map((s) => [s, listingsByStatus[s] ?? 0])) as Record<ListingStatus, number>,
      moderation: {
        medianTimeToDecisionSeconds: median(decisions.map((d) => d.seconds)),
        decisions: decisions.length,
        approved: decisions.filter((d) => d.action === 'approve').length,
        rejected: decisions.filter((d) => d.action === 'reject').length,
      },
      activeOrganizations: { publishers: publishers.size, advertisers: advertisers.size },
      registeredOrganizations: { publishers: registered.publisher ?? 0, advertisers: registered.advertiser ?? 0 },
      ordersByStatus: Object.fromEntries(ORDER_STATUSES.map((s) => [s, ordersByStatus[s] ?? 0])) as Record<OrderStatus, number>,
    };
  }

  /** The org's ledger movements in the range, joined to its own orders and folded. */
  private async money(side: OrderSide, orgId: string, range: DateRange) {
    const orders = await this.repo.ordersOf(side, orgId, range.to);
    const movements = orders.size ? await this.repo.movementsOf([...orders.keys()], range) : [];
    const titles = new Map([...orders.values()].map((o) => [o.listingId, o.title]));
    return { fold: foldMovements(movements, orders), titles };
  }

  private async decisions(range: DateRange): Promise<Decision[]> {
    const out: Decision[] = [];
    for await (const history of this.repo.moderationHistories(range)) out.push(...decisionsIn(history, range));
    return out;
  }
}
