import { AppError } from '../common/app-error';
import { EXCLUSION_REASONS, type ExclusionReason } from '../deliveries/delivery.schema';
import type { ModerationEvent } from '../listings/listing.schema';

/** Pure helpers behind the KPIs (see docs/analytics.md); kept free of I/O so they are unit-tested directly. */

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_YEARS = 2;
const DAY_MS = 24 * 3600 * 1000;

/** Half-open [from, to): a movement at exactly `to` belongs to the next range. */
export interface DateRange {
  from: Date;
  to: Date;
}

/**
 * `to` defaults to now, `from` to `to` − 30 days. from < to, and to ≤ from + 2 calendar years (UTC), else 400.
 * Inputs were already checked to be ISO 8601 by the DTO.
 */
export function resolveRange(from: string | undefined, to: string | undefined, now = new Date()): DateRange {
  const end = to ? new Date(to) : now;
  const start = from ? new Date(from) : new Date(end.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  if (Number.isNaN(end.getTime()) || Number.isNaN(start.getTime())) {
    throw AppError.badRequest('INVALID_RANGE', 'from and to must be ISO 8601 dates');
  }
  if (start.getTime() >= end.getTime()) throw AppError.badRequest('INVALID_RANGE', 'from must be before to');
  const limit = new Date(start.getTime());
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_RANGE_YEARS);
  if (end.getTime() > limit.getTime()) {
    throw AppError.badRequest('RANGE_TOO_LONG', `The range may span at most ${MAX_RANGE_YEARS} years`);
  }
  return { from: start, to: end };
}

export const inRange = (at: Date, r: DateRange): boolean => at.getTime() >= r.from.getTime() && at.getTime() < r.to.getTime();

/** Minor units per lower-case ISO currency, e.g. {eur: 12000}. */
export type Money = Record<string, number>;

export function addMoney(money: Money, currency: string, amount: number): Money {
  money[currency] = (money[currency] ?? 0) + amount;
  return money;
}

/** Calendar month of an instant, in UTC: 'YYYY-MM'. */
export function monthOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Median of the values (mean of the two middle ones for an even count); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Reasons that mean "no valid consent now"; `over_quantity` only trims a delivery to what was bought. */
export const CONSENT_EXCLUSION_REASONS: readonly ExclusionReason[] = EXCLUSION_REASONS.filter((r) => r !== 'over_quantity');

export type ExclusionCounts = Record<ExclusionReason, number>;

export const noExclusions = (): ExclusionCounts =>
  Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as ExclusionCounts;

export function addExclusions(into: ExclusionCounts, more: Partial<Record<ExclusionReason, number>>): ExclusionCounts {
  for (const r of EXCLUSION_REASONS) into[r] += more[r] ?? 0;
  return into;
}

export const consentExclusions = (counts: ExclusionCounts): number =>
  CONSENT_EXCLUSION_REASONS.reduce((sum, r) => sum + counts[r], 0);

/** excluded / (delivered + excluded); null when nothing was delivered or excluded. */
export function exclusionRate(delivered: number, excluded: number): number | null {
  const total = delivered + excluded;
  return total === 0 ? null : excluded / total;
}

export interface Decision {
  action: 'approve' | 'reject';
  at: Date;
  seconds: number;
}

/**
 * Moderation decisions (approve/reject) taken in the range, each timed from the latest submit before it. A decision
 * without a preceding submit in the history (data imported without one) is skipped: there is nothing to time.
 */
export function decisionsIn(history: readonly ModerationEvent[], range: DateRange): Decision[] {
  const events = [...history].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  const out: Decision[] = [];
  let submittedAt: Date | null = null;
  for (const e of events) {
    const at = new Date(e.at);
    if (e.action === 'submit') submittedAt = at;
    else if (e.action === 'approve' || e.action === 'reject') {
      if (submittedAt && inRange(at, range)) out.push({ action: e.action, at, seconds: (at.getTime() - submittedAt.getTime()) / 1000 });
      submittedAt = null;
    }
  }
  return out;
}

/** One ledger movement as analytics reads it (ledger-entry.schema.ts: signed from the platform's side). */
export interface Movement {
  orderId: string;
  kind: 'charge' | 'refund' | 'dispute_lost';
  amount: number;
  platformFee: number;
  sellerNet: number;
  currency: string;
  at: Date;
}

/** What analytics needs to know about an order to attribute its movements. */
export interface OrderFacts {
  listingId: string;
  buyerOrgId: string;
  sellerOrgId: string;
  title: string;
}

export interface ListingMoney {
  listingId: string;
  currency: string;
  revenue: number;
  orders: number;
}

export interface MoneyFold {
  gross: Money;
  platformFees: Money;
  sellerNet: Money;
  /** Orders whose charge falls in the range. */
  orders: number;
  buyers: Set<string>;
  byListing: Map<string, ListingMoney>;
  byMonth: Map<string, { month: string; currency: string; revenue: number }>;
}

/**
 * Folds the range's ledger movements: every movement counts with its sign (a refund in the range subtracts even when
 * its charge was earlier), while `orders`/`buyers` count only charges in the range.
 */
export function foldMovements(movements: Iterable<Movement>, orders: ReadonlyMap<string, OrderFacts>): MoneyFold {
  const fold: MoneyFold = { gross: {}, platformFees: {}, sellerNet: {}, orders: 0, buyers: new Set(), byListing: new Map(), byMonth: new Map() };
  for (const m of movements) {
    const order = orders.get(m.orderId);
    if (!order) continue;
    addMoney(fold.gross, m.currency, m.amount);
    addMoney(fold.platformFees, m.currency, m.platformFee);
    addMoney(fold.sellerNet, m.currency, m.sellerNet);
    const listingKey = `${order.listingId}|${m.currency}`;
    const listing = fold.byListing.get(listingKey) ?? { listingId: order.listingId, currency: m.currency, revenue: 0, orders: 0 };
    listing.revenue += m.sellerNet;
    const month = monthOf(m.at);
    const monthKey = `${month}|${m.currency}`;
    const bucket = fold.byMonth.get(monthKey) ?? { month, currency: m.currency, revenue: 0 };
    bucket.revenue += m.sellerNet;
    if (m.kind === 'charge') {
      fold.orders++;
      listing.orders++;
      fold.buyers.add(order.buyerOrgId);
    }
    fold.byListing.set(listingKey, listing);
    fold.byMonth.set(monthKey, bucket);
  }
  return fold;
}
