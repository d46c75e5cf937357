import type { ModerationEvent } from '../listings/listing.schema';
import {
  addExclusions,
  consentExclusions,
  decisionsIn,
  exclusionRate,
  foldMovements,
  median,
  monthOf,
  type Movement,
  noExclusions,
  type OrderFacts,
  resolveRange,
} from './analytics.math';

const d = (s: string) => new Date(s);

describe('resolveRange', () => {
  const now = d('2025-06-15T12:00:00Z');

  it('defaults to the 30 days before now, to exclusive', () => {
    expect(resolveRange(undefined, undefined, now)).toEqual({ from: d('2025-05-16T12:00:00Z'), to: now });
  });

  it('defaults from to 30 days before an explicit to, and to to now after an explicit from', () => {
    expect(resolveRange(undefined, '2025-03-01T00:00:00Z', now)).toEqual({ from: d('2025-01-30T00:00:00Z'), to: d('2025-03-01T00:00:00Z') });
    expect(resolveRange('2025-06-01', undefined, now)).toEqual({ from: d('2025-06-01T00:00:00Z'), to: now });
  });

  it('refuses from ≥ to', () => {
    expect(() => resolveRange('2025-03-01', '2025-03-01', now)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
    expect(() => resolveRange('2025-03-02', '2025-03-01', now)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
  });

  it('allows exactly two calendar years, not a millisecond more', () => {
    expect(resolveRange('2023-02-01T00:00:00Z', '2025-02-01T00:00:00Z', now).to).toEqual(d('2025-02-01T00:00:00Z'));
    expect(() => resolveRange('2023-02-01T00:00:00Z', '2025-02-01T00:00:00.001Z', now)).toThrow(expect.objectContaining({ code: 'RANGE_TOO_LONG' }));
  });
});

describe('median', () => {
  it('is null when empty, the middle value for an odd count, the mean of the two middles for an even count', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([10800, 600, 3600, 1800, 7200])).toBe(3600);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('does not reorder its input', () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).toEqual([3, 1, 2]);
  });
});

describe('exclusions', () => {
  it('the consent rate leaves over_quantity out and is null without records', () => {
    const counts = addExclusions(noExclusions(), { no_consent: 150, denied: 30, revoked: 10, missing_purpose: 5, no_vendor_consent: 3, erased: 2, over_quantity: 100 });
    expect(consentExclusions(counts)).toBe(200);
    expect(exclusionRate(3800, 200)).toBe(0.05);
    expect(exclusionRate(0, 0)).toBeNull();
    expect(exclusionRate(0, 5)).toBe(1);
  });
});

describe('monthOf', () => {
  it('buckets by UTC calendar month', () => {
    expect(monthOf(d('2025-01-31T23:59:59.999Z'))).toBe('2025-01');
    expect(monthOf(d('2025-02-01T00:00:00Z'))).toBe('2025-02');
    expect(monthOf(d('2024-12-31T23:30:00-01:00'))).toBe('2025-01');
  });
});

describe('decisionsIn', () => {
  const ev = (action: ModerationEvent['action'], at: string): ModerationEvent => ({ action, from: 'draft', to: 'draft', actorId: 'a', at: d(at) });
  const range = { from: d('2025-01-01T00:00:00Z'), to: d('2025-03-01T00:00:00Z') };

  it('times each decision from the latest submit before it, whatever the order stored', () => {
    const history = [
      ev('approve', '2025-02-02T03:00:00Z'),
      ev('submit', '2025-02-01T00:00:00Z'),
      ev('reject', '2025-02-01T00:10:00Z'),
      ev('edit', '2025-02-01T05:00:00Z'),
      ev('submit', '2025-02-02T00:00:00Z'),
      ev('suspend', '2025-02-03T00:00:00Z'),
      ev('reinstate', '2025-02-04T00:00:00Z'),
    ];
    expect(decisionsIn(history, range).map((x) => [x.action, x.seconds])).toEqual([
      ['reject', 600],
      ['approve', 10800],
    ]);
  });

  it('the decision time decides the range (to exclusive); a submit before from still counts', () => {
    expect(decisionsIn([ev('submit', '2024-12-31T23:30:00Z'), ev('approve', '2025-01-01T00:30:00Z')], range)).toHaveLength(1);
    expect(decisionsIn([ev('submit', '2025-02-28T23:00:00Z'), ev('approve', '2025-03-01T00:00:00Z')], range)).toHaveLength(0);
    expect(decisionsIn([ev('approve', '2025-02-01T00:00:00Z')], range)).toHaveLength(0);
  });
});

describe('foldMovements', () => {
  const orders = new Map<string, OrderFacts>([
    ['o1', { listingId: 'L1', buyerOrgId: 'X', sellerOrgId: 'A', title: 'one' }],
    ['o2', { listingId: 'L1', buyerOrgId: 'Y', sellerOrgId: 'A', title: 'one' }],
    ['o3', { listingId: 'L2', buyerOrgId: 'X', sellerOrgId: 'A', title: 'two' }],
  ]);
  const m = (orderId: string, kind: Movement['kind'], amount: number, fee: number, currency: string, at: string): Movement => ({
    orderId,
    kind,
    amount,
    platformFee: fee,
    sellerNet: amount - fee,
    currency,
    at: d(at),
  });

  it('sums signed movements by currency, listing and month; orders and buyers count charges only', () => {
    const fold = foldMovements(
      [
        m('o1', 'charge', 10000, 2000, 'eur', '2025-01-10T00:00:00Z'),
        m('o2', 'refund', -10000, -2000, 'eur', '2025-01-20T00:00:00Z'),
        m('o3', 'charge', 3000, 600, 'usd', '2025-02-10T00:00:00Z'),
        m('o3', 'dispute_lost', -3000, -600, 'usd', '2025-02-11T00:00:00Z'),
        m('unknown', 'charge', 99, 1, 'eur', '2025-02-11T00:00:00Z'),
      ],
      orders,
    );
    expect(fold.gross).toEqual({ eur: 0, usd: 0 });
    expect(fold.platformFees).toEqual({ eur: 0, usd: 0 });
    expect(fold.sellerNet).toEqual({ eur: 0, usd: 0 });
    expect(fold.orders).toBe(2);
    expect([...fold.buyers]).toEqual(['X']);
    expect([...fold.byListing.values()]).toEqual([
      { listingId: 'L1', currency: 'eur', revenue: 0, orders: 1 },
      { listingId: 'L2', currency: 'usd', revenue: 0, orders: 1 },
    ]);
    expect([...fold.byMonth.values()]).toEqual([
      { month: '2025-01', currency: 'eur', revenue: 0 },
      { month: '2025-02', currency: 'usd', revenue: 0 },
    ]);
  });

  it('gross = fees + seller net per currency', () => {
    const fold = foldMovements([m('o1', 'charge', 10001, 2000, 'eur', '2025-01-10T00:00:00Z'), m('o3', 'charge', 251, 50, 'eur', '2025-01-11T00:00:00Z')], orders);
    expect(fold.gross.eur).toBe(fold.platformFees.eur + fold.sellerNet.eur);
    expect(fold.sellerNet).toEqual({ eur: 8202 });
  });
});
