import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { type AppConfig, APP_CONFIG } from '../../src/config/config';
import type { TestApp } from './app';

/**
 * Stripe webhook events in the shape Stripe sends (see stripe-mock's fixtures / the API reference), signed the
 * way Stripe signs them. Objects carry the fields Audex reads plus enough of the rest to look real.
 */
const webhooks = Stripe.webhooks;
const rid = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export interface StripeEventJson {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export function anEvent(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}): StripeEventJson {
  return {
    id: opts.id ?? rid('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: opts.created ?? nowSeconds(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export interface OrderRef {
  id: string;
  amount: number;
  currency: string;
}

/** The payment intent id tests use for an order; unique per order (stripe-mock returns one fixed id). */
export const paymentIntentFor = (order: Pick<OrderRef, 'id'>) => `pi_test_${order.id}`;

export function aCheckoutSession(order: OrderRef, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: rid('cs'),
    object: 'checkout.session',
    amount_subtotal: order.amount,
    amount_total: order.amount,
    client_reference_id: order.id,
    created: nowSeconds() - 60,
    currency: order.currency,
    customer: null,
    livemode: false,
    metadata: { orderId: order.id },
    mode: 'payment',
    payment_intent: paymentIntentFor(order),
    payment_status: 'paid',
    status: 'complete',
    url: null,
    ...over,
  };
}

export function aCharge(order: OrderRef, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: rid('ch'),
    object: 'charge',
    amount: order.amount,
    amount_captured: order.amount,
    amount_refunded: order.amount,
    captured: true,
    created: nowSeconds() - 30,
    currency: order.currency,
    disputed: false,
    livemode: false,
    metadata: {},
    paid: true,
    payment_intent: paymentIntentFor(order),
    refunded: true,
    status: 'succeeded',
    ...over,
  };
}

export function aDispute(order: OrderRef, status: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: rid('dp'),
    object: 'dispute',
    amount: order.amount,
    charge: rid('ch'),
    created: nowSeconds() - 10,
    currency: order.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: paymentIntentFor(order),
    reason: 'fraudulent',
    status,
    ...over,
  };
}

export function anAccount(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    object: 'account',
    type: 'express',
    charges_enabled: true,
    payouts_enabled: true,
    details_submitted: true,
    country: 'FR',
    default_currency: 'eur',
    metadata: {},
    ...over,
  };
}

export function webhookSecret(t: TestApp): string {
  return t.app.get<AppConfig>(APP_CONFIG).stripe.webhookSecret;
}

export function signatureFor(payload: string, secret: string, timestamp = nowSeconds()): string {
  return webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** POSTs the event to the webhook as Stripe would: raw JSON body plus Stripe-Signature. */
export function sendEvent(
  t: TestApp,
  event: StripeEventJson,
  opts: { secret?: string; timestamp?: number; payload?: string; signature?: string | null } = {},
) {
  const payload = opts.payload ?? JSON.stringify(event);
  const req = t.http().post('/v1/payments/webhook').set('Content-Type', 'application/json; charset=utf-8');
  const signature =
    opts.signature === null ? undefined : (opts.signature ?? signatureFor(JSON.stringify(event), opts.secret ?? webhookSecret(t), opts.timestamp));
  if (signature) req.set('Stripe-Signature', signature);
  return req.send(payload);
}
