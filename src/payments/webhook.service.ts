import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import { rootLogger } from '../common/logger';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Order } from '../orders/order.schema';
import { OrdersRepository } from '../orders/orders.repository';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import type { WebhookAckDto } from './dto/payments.dto';
import type { LedgerKind } from './ledger-entry.schema';
import { LedgerRepository } from './ledger.repository';
import { StripeEventsRepository } from './stripe-events.repository';
import { InjectStripe, type StripeClient } from './stripe.provider';

/** Stripe's default: a signature whose timestamp is more than 5 minutes away is refused (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** How long a claimed event is left to the delivery applying it before a redelivery may take over. */
export const EVENT_LEASE_MS = 60_000;

const invalidSignature = () => AppError.badRequest('WEBHOOK_SIGNATURE_INVALID', 'Missing or invalid Stripe-Signature');

const idOf = (v: string | { id: string } | null | undefined): string | undefined => (typeof v === 'string' ? v : v?.id);

/**
 * Applies verified Stripe events to orders, the ledger and organizations. Fulfilment happens here and only here:
 * never from the Checkout redirect. Each event id is claimed once (stripeEvents); every state change is an
 * atomic update from the expected state and every ledger entry is unique per (order, kind), so replays,
 * concurrent deliveries and out-of-order events converge on the same result.
 */
@Injectable()
export class WebhookService {
  private readonly log = rootLogger;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectStripe() private readonly stripe: StripeClient,
    private readonly events: StripeEventsRepository,
    private readonly orders: OrdersRepository,
    private readonly ledger: LedgerRepository,
    private readonly orgs: OrganizationsRepository,
    private readonly audit: AuditService,
  ) {}

  async receive(raw: unknown, signature: unknown): Promise<WebhookAckDto> {
    const event = this.verify(raw, signature);
    const claim = await this.events.claim(event.id, event.type, new Date(), EVENT_LEASE_MS);
    if (claim === 'processed') return { received: true, duplicate: true };
    // Another delivery of this event is being applied right now: a non-2xx makes Stripe retry later, so two
    // deliveries never apply the same event side by side.
    if (claim === 'in_progress') throw AppError.conflict('WEBHOOK_EVENT_IN_PROGRESS', 'This event is being processed; retry later');
    await this.apply(event);
    await this.events.markProcessed(event.id, new Date());
    return claim === 'new' ? { received: true } : { received: true, duplicate: true };
  }

  private verify(raw: unknown, signature: unknown): Stripe.Event {
    if (!Buffer.isBuffer(raw) || raw.length === 0 || typeof signature !== 'string' || !signature) throw invalidSignature();
    try {
      return this.stripe.webhooks.constructEvent(raw, signature, this.config.stripe.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
    } catch {
      throw invalidSignature();
    }
  }

  private async apply(event: Stripe.Event): Promise<void> {
    switch (event.type) {
      case 'checkout.session.completed':
        // 'unpaid' = an asynchronous method (SEPA, bank transfer) still settling: wait for async_payment_*.
        if (event.data.object.payment_status === 'paid') await this.fulfil(event, event.data.object);
        else this.log().info({ eventId: event.id, paymentStatus: event.data.object.payment_status }, 'checkout completed, payment pending');
        return;
      case 'checkout.session.async_payment_succeeded':
        return this.fulfil(event, event.data.object);
      case 'checkout.session.async_payment_failed':
        return this.paymentFailed(event, event.data.object);
      case 'charge.refunded':
        return this.refunded(event, event.data.object);
      case 'charge.dispute.created':
        return this.disputeOpened(event, event.data.object);
      case 'charge.dispute.closed':
        return this.disputeClosed(event, event.data.object);
      case 'account.updated':
        return this.accountUpdated(event.data.object);
      default:
        this.log().debug({ eventId: event.id, type: event.type }, 'stripe event ignored');
    }
  }

  private async fulfil(event: Stripe.Event, session: Stripe.Checkout.Session): Promise<void> {
    const order = await this.orderFor(session.client_reference_id ?? session.metadata?.orderId, undefined, event);
    if (!order) return;
    if (session.amount_total !== order.amount || session.currency?.toLowerCase() !== order.currency) {
      // Never grant a licence for a different amount than the server priced; leave it to a human.
      this.log().error({ eventId: event.id, orderId: String(order._id) }, 'checkout amount does not match the order');
      await this.record('order.payment_mismatch', order, event, { amountTotal: session.amount_total, currency: session.currency });
      return;
    }
    // Times come from the event, so a re-applied event writes exactly the same values.
    const at = new Date(event.created * 1000);
    const paid = await this.orders.markPaid(order._id, at, order.snapshot.licenseDays, {
      sessionId: session.id,
      paymentIntentId: idOf(session.payment_intent),
    });
    if (paid) await this.record('order.paid', paid, event, { licenseExpiresAt: paid.license?.expiresAt });
    // The money moved whatever state the order is in now (even refunded first): record the charge once.
    await this.appendLedger('charge', order, event, 1);
  }

  private async paymentFailed(event: Stripe.Event, session: Stripe.Checkout.Session): Promise<void> {
    const order = await this.orderFor(session.client_reference_id ?? session.metadata?.orderId, undefined, event);
    if (!order) return;
    const failed = await this.orders.markPaymentFailed(order._id);
    if (failed) await this.record('order.payment_failed', failed, event);
  }

  private async refunded(event: Stripe.Event, charge: Stripe.Charge): Promise<void> {
    const order = await this.orderFor(charge.metadata?.orderId, idOf(charge.payment_intent), event);
    if (!order) return;
    if (!charge.refunded) {
      // Audex only issues full refunds; a partial one made in the Dashboard does not end the licence.
      this.log().warn({ eventId: event.id, orderId: String(order._id) }, 'partial refund: licence unchanged');
      await this.record('order.partial_refund', order, event, { amountRefunded: charge.amount_refunded });
      return;
    }
    const at = new Date(event.created * 1000);
    // Two states can be refunded and each has its own atomic update; re-read and retry if a concurrent event
    // moved the order between the read and the write (e.g. the completion landing at the same moment).
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = attempt === 0 ? order : await this.orders.findById(order._id);
      if (!current) return;
      let updated: Order | null = null;
      if (current.status === 'paid') updated = await this.orders.markRefundedFromPaid(current._id, at, charge.id);
      else if (current.status === 'pending_payment') updated = await this.orders.markRefundedFromPending(current._id, at, charge.id);
      else break;
      if (updated) {
        await this.record('order.refunded', updated, event, { licenseEndedAt: updated.license?.endedAt ?? null });
        break;
      }
    }
    const final = await this.orders.findById(order._id);
    if (final?.status === 'refunded') await this.appendLedger('refund', final, event, -1);
  }

  private async disputeOpened(event: Stripe.Event, dispute: Stripe.Dispute): Promise<void> {
    const order = await this.orderFor(dispute.metadata?.orderId, idOf(dispute.payment_intent), event);
    if (!order) return;
    const disputed = await this.orders.markDisputed(order._id, {
      stripeDisputeId: dispute.id,
      status: 'open',
      openedAt: new Date(dispute.created * 1000),
    });
    if (disputed) await this.record('order.disputed', disputed, event, { reason: dispute.reason });
  }

  private async disputeClosed(event: Stripe.Event, dispute: Stripe.Dispute): Promise<void> {
    const order = await this.orderFor(dispute.metadata?.orderId, idOf(dispute.payment_intent), event);
    if (!order) return;
    const at = new Date(event.created * 1000);
    if (dispute.status === 'lost') {
      const lost = await this.orders.markDisputeLost(order._id, at, {
        stripeDisputeId: dispute.id,
        status: 'lost',
        openedAt: order.dispute?.openedAt ?? new Date(dispute.created * 1000),
      });
      if (lost) await this.record('order.dispute_lost', lost, event, { licenseEndedAt: at });
      const final = await this.orders.findById(order._id);
      if (final?.license?.endReason === 'dispute_lost') await this.appendLedger('dispute_lost', final, event, -1);
      return;
    }
    // 'won' and 'warning_closed' (an inquiry that never became a chargeback): the money stays, licence resumes.
    const won = await this.orders.markDisputeWon(order._id, at);
    if (won) await this.record('order.dispute_won', won, event, { disputeStatus: dispute.status });
  }

  private async accountUpdated(account: Stripe.Account): Promise<void> {
    const org = await this.orgs.findByStripeAccountId(account.id);
    if (!org) return;
    const chargesEnabled = account.charges_enabled === true;
    const payoutsEnabled = account.payouts_enabled === true;
    await this.orgs.updatePayoutState(account.id, chargesEnabled, payoutsEnabled);
    if (org.chargesEnabled !== chargesEnabled || org.payoutsEnabled !== payoutsEnabled) {
      await this.audit.record(null, {
        action: 'organization.payout_state',
        targetType: 'organization',
        targetId: String(org._id),
        orgId: String(org._id),
        details: { chargesEnabled, payoutsEnabled },
      });
    }
  }

  /** Finds the order by our own id first (Stripe ids are not unique under stripe-mock), then by payment intent. */
  private async orderFor(orderId: string | null | undefined, paymentIntentId: string | undefined, event: Stripe.Event): Promise<Order | null> {
    let order: Order | null = null;
    if (orderId && Types.ObjectId.isValid(orderId)) order = await this.orders.findById(orderId);
    if (!order && paymentIntentId) order = await this.orders.findByPaymentIntent(paymentIntentId);
    if (!order) this.log().warn({ eventId: event.id, type: event.type }, 'stripe event for no known order');
    return order;
  }

  private async appendLedger(kind: LedgerKind, order: Order, event: Stripe.Event, sign: 1 | -1): Promise<void> {
    const wrote = await this.ledger.appendOnce({
      orderId: order._id,
      kind,
      amount: sign * order.amount,
      platformFee: sign * order.platformFee,
      sellerNet: sign * (order.amount - order.platformFee),
      currency: order.currency,
      at: new Date(event.created * 1000),
      stripeEventId: event.id,
    });
    if (wrote) this.log().info({ orderId: String(order._id), kind, eventId: event.id }, 'ledger entry');
  }

  private record(action: string, order: Order, event: Stripe.Event, details: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record(null, {
      action,
      targetType: 'order',
      targetId: String(order._id),
      orgId: String(order.buyerOrgId),
      details: { stripeEventId: event.id, status: order.status, sellerOrgId: String(order.sellerOrgId), ...details },
    });
  }
}
