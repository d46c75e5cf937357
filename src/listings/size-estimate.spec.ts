import { laplace, noisySizeEstimate, renderEstimate, roundSignificant, seededUniform, sizeSeed, storedEstimate } from './size-estimate';

describe('size estimate', () => {
  const params = { scale: 10, secret: 'unit-test-secret-0123456789abcdef' };

  it('rounds to two significant figures', () => {
    expect(roundSignificant(0)).toBe(0);
    expect(roundSignificant(7)).toBe(7);
    expect(roundSignificant(104)).toBe(100);
    expect(roundSignificant(155)).toBe(160);
    expect(roundSignificant(12_345)).toBe(12_000);
    expect(roundSignificant(987_654)).toBe(990_000);
  });

  it('the Laplace inverse CDF is antisymmetric, zero at the median, and has the right quantiles', () => {
    expect(laplace(0.5, 10)).toBe(0);
    expect(laplace(0.25, 10)).toBeCloseTo(-laplace(0.75, 10), 10);
    // P(X <= -b ln 2) = 1/4 for Laplace(0, b)
    expect(laplace(0.25, 10)).toBeCloseTo(-10 * Math.log(2), 10);
    expect(() => laplace(0, 1)).toThrow(RangeError);
    expect(() => laplace(1, 1)).toThrow(RangeError);
  });

  it('draws are deterministic per (secret, seed) and differ across seeds and secrets', () => {
    const a = seededUniform(params.secret, 'seg:100');
    expect(seededUniform(params.secret, 'seg:100')).toBe(a);
    expect(seededUniform(params.secret, 'seg:101')).not.toBe(a);
    expect(seededUniform('another-secret-0123456789abcdef', 'seg:100')).not.toBe(a);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(1);
  });

  it('repeated estimates for one segment and size are identical (no averaging away)', () => {
    const seed = sizeSeed('64b7f0c2a1b2c3d4e5f60718', 5000);
    const values = new Set(Array.from({ length: 50 }, () => noisySizeEstimate(5000, seed, params)));
    expect(values.size).toBe(1);
  });

  it('the noise is Laplace-distributed across seeds: mean ≈ 0, mean |noise| ≈ scale', () => {
    const n = 20_000;
    let sum = 0;
    let abs = 0;
    for (let i = 0; i < n; i++) {
      const x = laplace(seededUniform(params.secret, `seed-${i}`), params.scale);
      sum += x;
      abs += Math.abs(x);
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.5);
    expect(abs / n).toBeGreaterThan(9.5);
    expect(abs / n).toBeLessThan(10.5);
  });

  it('estimates stay close to the exact size, are never negative, and have two significant figures', () => {
    for (let i = 0; i < 500; i++) {
      const exact = 100 + i * 37;
      const e = noisySizeEstimate(exact, sizeSeed(`s${i}`, exact), params);
      expect(e).toBeGreaterThanOrEqual(0);
      expect(roundSignificant(e)).toBe(e);
      expect(Math.abs(e - exact)).toBeLessThan(200 + exact * 0.05);
    }
    expect(noisySizeEstimate(0, 'x', { ...params, scale: 1000 })).toBeGreaterThanOrEqual(0);
    expect(noisySizeEstimate(1234, 'x', { ...params, scale: 0 })).toBe(1200);
  });

  it('under k is stored as 0 and shown as "<k"', () => {
    expect(storedEstimate(99, 100)).toBe(0);
    expect(storedEstimate(100, 100)).toBe(100);
    expect(renderEstimate(0, 100)).toBe('<100');
    expect(renderEstimate(1200, 100)).toBe(1200);
    expect(renderEstimate(0, 50)).toBe('<50');
  });
});
