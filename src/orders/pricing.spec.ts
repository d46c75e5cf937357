import { AppError } from '../common/app-error';
import { platformFee, priceOrder } from './pricing';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : String(e);
  }
  return 'no error';
};

describe('platformFee', () => {
  it('rounds half up in integer arithmetic', () => {
    expect(platformFee(10_000, 2000)).toBe(2000);
    expect(platformFee(12_345, 2000)).toBe(2469); // 2469.0
    expect(platformFee(5, 1000)).toBe(1); // 0.5 → 1
    expect(platformFee(4, 1000)).toBe(0); // 0.4 → 0
    expect(platformFee(15, 1000)).toBe(2); // 1.5 → 2
    expect(platformFee(25, 1000)).toBe(3); // 2.5 → 3 (half up, not banker's)
    expect(platformFee(999, 0)).toBe(0);
    expect(platformFee(999, 10_000)).toBe(999);
  });

  it('stays exact for amounts where floating point would not', () => {
    const amount = Number.MAX_SAFE_INTEGER;
    expect(platformFee(amount, 2000)).toBe(Number((BigInt(amount) * 2000n + 5000n) / 10000n));
  });

  it('refuses non-integers', () => {
    expect(() => platformFee(1.5, 2000)).toThrow(RangeError);
    expect(() => platformFee(100, 20.5)).toThrow(RangeError);
    expect(() => platformFee(100, 10_001)).toThrow(RangeError);
  });
});

describe('priceOrder', () => {
  it('flat: the listing amount, one unit, no quantity', () => {
    expect(priceOrder({ model: 'flat', amount: 50_000, currency: 'EUR' }, undefined, 2000)).toEqual({
      amount: 50_000,
      platformFee: 10_000,
      sellerNet: 40_000,
      currency: 'eur',
      quantity: undefined,
      unitAmount: 50_000,
      units: 1,
    });
  });

  it('flat: a quantity is refused', () => {
    expect(code(() => priceOrder({ model: 'flat', amount: 100, currency: 'eur' }, 1000, 2000))).toBe('QUANTITY_NOT_ALLOWED');
  });

  it('cpm: amount × thousands, fee on the total', () => {
    const p = priceOrder({ model: 'cpm', amount: 1_234, currency: 'eur' }, 25_000, 2000);
    expect(p).toMatchObject({ amount: 30_850, platformFee: 6_170, sellerNet: 24_680, quantity: 25_000, unitAmount: 1_234, units: 25 });
  });

  it('cpm: quantity is required and a positive multiple of 1000', () => {
    const cpm = { model: 'cpm' as const, amount: 500, currency: 'eur' };
    expect(code(() => priceOrder(cpm, undefined, 2000))).toBe('QUANTITY_REQUIRED');
    for (const q of [0, -1000, 1500, 999, 1000.5, 2_000_000_000]) {
      expect(code(() => priceOrder(cpm, q, 2000))).toBe('INVALID_QUANTITY');
    }
    expect(priceOrder(cpm, 1000, 2000).amount).toBe(500);
  });

  it('a listing without a positive integer price is not available', () => {
    expect(code(() => priceOrder({ model: 'flat', amount: 0, currency: 'eur' }, undefined, 2000))).toBe('LISTING_NOT_AVAILABLE');
    expect(code(() => priceOrder({ model: 'flat', amount: 9.99, currency: 'eur' }, undefined, 2000))).toBe('LISTING_NOT_AVAILABLE');
  });
});
