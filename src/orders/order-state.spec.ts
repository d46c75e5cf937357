import { ORDER_STATUSES, type OrderStatus } from './order.schema';
import { DAY_MS, isLicenseActive, licenseFor, type OrderFact, transition } from './order-state';

describe('order state machine', () => {
  const expected: Record<OrderFact, Partial<Record<OrderStatus, OrderStatus>>> = {
    paid: { pending_payment: 'paid' },
    payment_failed: { pending_payment: 'payment_failed' },
    refunded: { pending_payment: 'refunded', paid: 'refunded' },
    dispute_opened: { paid: 'disputed' },
    dispute_won: { disputed: 'paid' },
    dispute_lost: { paid: 'disputed', disputed: 'disputed' },
  };

  for (const [fact, moves] of Object.entries(expected) as [OrderFact, Partial<Record<OrderStatus, OrderStatus>>][]) {
    it(`${fact}: applies only from ${Object.keys(moves).join(', ')}`, () => {
      for (const from of ORDER_STATUSES) expect(transition(from, fact)).toBe(moves[from] ?? null);
    });
  }

  it('a completion after a refund cannot resurrect the order', () => {
    const afterRefund = transition('pending_payment', 'refunded')!;
    expect(afterRefund).toBe('refunded');
    expect(transition(afterRefund, 'paid')).toBeNull();
  });

  it('replaying a fact is a no-op once applied', () => {
    expect(transition(transition('pending_payment', 'paid')!, 'paid')).toBeNull();
    expect(transition(transition('paid', 'refunded')!, 'refunded')).toBeNull();
  });
});

describe('licence', () => {
  const start = new Date('2030-01-01T00:00:00Z');
  const license = licenseFor(start, 30);

  it('runs licenseDays from the payment', () => {
    expect(license.expiresAt.getTime() - license.startsAt.getTime()).toBe(30 * DAY_MS);
  });

  it('is active only while paid, started, not ended and not expired', () => {
    const inside = new Date(start.getTime() + DAY_MS);
    expect(isLicenseActive({ status: 'paid', license }, inside)).toBe(true);
    expect(isLicenseActive({ status: 'disputed', license }, inside)).toBe(false);
    expect(isLicenseActive({ status: 'refunded', license: { ...license, endedAt: inside, endReason: 'refunded' } }, inside)).toBe(false);
    expect(isLicenseActive({ status: 'paid', license: { ...license, endedAt: inside } }, inside)).toBe(false);
    expect(isLicenseActive({ status: 'paid', license }, license.expiresAt)).toBe(false);
    expect(isLicenseActive({ status: 'paid' }, inside)).toBe(false);
  });
});
