import { AppError } from '../common/app-error';
import type { Pricing } from '../listings/listing.schema';

/** CPM orders are bought in whole thousands of records. */
export const CPM_UNIT = 1000;
/** Upper bound on a CPM order, so amounts stay far inside Number.MAX_SAFE_INTEGER and Stripe's limits. */
export const MAX_CPM_QUANTITY = 1_000_000_000;

export interface OrderPrice {
  amount: number;
  platformFee: number;
  sellerNet: number;
  currency: string;
  /** Records bought (cpm); undefined for flat. */
  quantity?: number;
  /** Checkout line item: unit_amount × units = amount. */
  unitAmount: number;
  units: number;
}

/** round-half-up(amount × bps / 10000) in integer arithmetic (amount and bps are non-negative integers). */
export function platformFee(amount: number, bps: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError('amount must be a non-negative integer');
  if (!Number.isInteger(bps) || bps < 0 || bps > 10_000) throw new RangeError('bps must be an integer in [0, 10000]');
  const product = BigInt(amount) * BigInt(bps);
  return Number((product + 5000n) / 10000n);
}

/** The price of an order, computed only on the server from the listing's pricing. */
export function priceOrder(pricing: Pricing, quantity: number | undefined, bps: number): OrderPrice {
  if (!Number.isSafeInteger(pricing.amount) || pricing.amount <= 0) {
    throw AppError.conflict('LISTING_NOT_AVAILABLE', 'The listing has no valid price');
  }
  let amount: number;
  let unitAmount: number;
  let units: number;
  if (pricing.model === 'flat') {
    if (quantity !== undefined) {
      throw AppError.badRequest('QUANTITY_NOT_ALLOWED', 'A flat-priced listing is bought whole; omit quantity');
    }
    amount = pricing.amount;
    unitAmount = pricing.amount;
    units = 1;
  } else {
    if (quantity === undefined) throw AppError.badRequest('QUANTITY_REQUIRED', 'A CPM listing needs a quantity of records');
    if (!Number.isSafeInteger(quantity) || quantity <= 0 || quantity % CPM_UNIT !== 0 || quantity > MAX_CPM_QUANTITY) {
      throw AppError.badRequest('INVALID_QUANTITY', `quantity must be a positive multiple of ${CPM_UNIT} up to ${MAX_CPM_QUANTITY}`);
    }
    units = quantity / CPM_UNIT;
    unitAmount = pricing.amount;
    amount = pricing.amount * units;
    if (!Number.isSafeInteger(amount)) throw AppError.badRequest('INVALID_QUANTITY', 'The order total is too large');
  }
  const fee = platformFee(amount, bps);
  return {
    amount,
    platformFee: fee,
    sellerNet: amount - fee,
    currency: pricing.currency.toLowerCase(),
    quantity: pricing.model === 'cpm' ? quantity : undefined,
    unitAmount,
    units,
  };
}
