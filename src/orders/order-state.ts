import type { License, OrderStatus } from './order.schema';

/**
 * The order state machine. Each payment fact (from a verified Stripe webhook) names the states it may apply
 * to; the repository turns this table into atomic filters ({ _id, status: { $in: from } }), so a replayed,
 * concurrent or late event matches nothing and changes nothing.
 *
 *   pending_payment ──paid──▶ paid ──dispute_opened──▶ disputed ──dispute_won──▶ paid
 *        │  └──payment_failed──▶ payment_failed          └──dispute_lost──▶ disputed (licence ended)
 *        └──refunded──▶ refunded ◀──refunded── paid
 *
 * A refund may arrive before the completion event (Stripe does not order deliveries): it ends the order in
 * `refunded`, and the late completion no longer matches `pending_payment`, so it cannot resurrect it.
 */
export type OrderFact = 'paid' | 'payment_failed' | 'refunded' | 'dispute_opened' | 'dispute_won' | 'dispute_lost';

export const TRANSITIONS: Record<OrderFact, { from: readonly OrderStatus[]; to: OrderStatus }> = {
  paid: { from: ['pending_payment'], to: 'paid' },
  payment_failed: { from: ['pending_payment'], to: 'payment_failed' },
  refunded: { from: ['pending_payment', 'paid'], to: 'refunded' },
  dispute_opened: { from: ['paid'], to: 'disputed' },
  dispute_won: { from: ['disputed'], to: 'paid' },
  // A lost dispute is final: the order keeps `disputed` (the money went back through the card network, not a
  // refund) and its licence ends with endReason dispute_lost. From `paid` too, in case dispute.created was lost.
  dispute_lost: { from: ['paid', 'disputed'], to: 'disputed' },
};

/** The next state, or null when the fact does not apply to an order in `from`. */
export function transition(from: OrderStatus, fact: OrderFact): OrderStatus | null {
  const t = TRANSITIONS[fact];
  return t.from.includes(from) ? t.to : null;
}

export const DAY_MS = 24 * 3600 * 1000;

export function licenseFor(startsAt: Date, licenseDays: number): License {
  return { startsAt, expiresAt: new Date(startsAt.getTime() + licenseDays * DAY_MS) };
}

/** Whether the buyer may receive data now: paid, licence started, not ended, not expired. Disputed = suspended. */
export function isLicenseActive(order: { status: OrderStatus; license?: License }, now = new Date()): boolean {
  const l = order.license;
  return (
    order.status === 'paid' &&
    !!l &&
    !l.endedAt &&
    l.startsAt.getTime() <= now.getTime() &&
    now.getTime() < l.expiresAt.getTime()
  );
}
