import type Stripe from 'stripe';
import type { Order } from './order.schema';

export const checkoutIdempotencyKey = (orderId: string) => `order:${orderId}:checkout`;

/**
 * A destination charge: the buyer pays Audex's platform account, Stripe moves amount − application fee to the
 * seller's connected account. The order id travels as client_reference_id and metadata (on the session and the
 * payment intent), so every later event can find the order by our own id.
 */
export function checkoutSessionParams(
  order: Pick<Order, '_id' | 'snapshot' | 'amount' | 'platformFee' | 'currency' | 'quantity'>,
  sellerAccountId: string,
  urls: { successUrl: string; cancelUrl: string },
): Stripe.Checkout.SessionCreateParams {
  const orderId = String(order._id);
  const { pricing, title } = order.snapshot;
  const units = pricing.model === 'cpm' ? order.quantity! / 1000 : 1;
  if (pricing.amount * units !== order.amount) throw new Error(`order ${orderId}: line items do not add up to the amount`);
  return {
    mode: 'payment',
    client_reference_id: orderId,
    metadata: { orderId },
    line_items: [
      {
        quantity: units,
        price_data: {
          currency: order.currency,
          unit_amount: pricing.amount,
          product_data: {
            name: pricing.model === 'cpm' ? `${title} (per 1,000 records)` : title,
            metadata: { listingId: order.snapshot.listingId },
          },
        },
      },
    ],
    payment_intent_data: {
      application_fee_amount: order.platformFee,
      transfer_data: { destination: sellerAccountId },
      metadata: { orderId },
    },
    // The success page only says "thank you": fulfilment happens from the verified webhook, never the redirect.
    success_url: urls.successUrl,
    cancel_url: urls.cancelUrl,
  };
}

