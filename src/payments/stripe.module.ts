import { Module } from '@nestjs/common';
import { STRIPE, stripeProvider } from './stripe.provider';

/** Shares the single Stripe client between orders (Checkout), payments (webhooks, refunds) and payouts. */
@Module({ providers: [stripeProvider], exports: [STRIPE] })
export class StripeModule {}
