import { Inject, type Provider } from '@nestjs/common';
import Stripe from 'stripe';
import { type AppConfig, APP_CONFIG } from '../config/config';

export const STRIPE = Symbol('STRIPE');
export const InjectStripe = () => Inject(STRIPE);
export type StripeClient = Stripe;

/**
 * The one Stripe client. STRIPE_API_HOST/PORT/PROTOCOL point it at stripe-mock (tests, local runs without keys);
 * otherwise it talks to api.stripe.com with STRIPE_SECRET_KEY. Retries are safe: every create carries an
 * idempotency key.
 */
export function createStripeClient(config: AppConfig): Stripe {
  const { secretKey, apiHost, apiPort, apiProtocol } = config.stripe;
  return new Stripe(secretKey, {
    ...(apiHost ? { host: apiHost, port: apiPort, protocol: apiProtocol ?? 'https' } : {}),
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'audex' },
  });
}

export const stripeProvider: Provider = { provide: STRIPE, inject: [APP_CONFIG], useFactory: createStripeClient };
