import fc from 'fast-check';
import { cryptoUniform, laplaceNoise, noisyCount, publicCount, type UniformRng } from './differential-privacy';

/** sfc32: small, seedable, good enough statistically for tests; mapped into the open interval (0, 1). */
function seeded(seed: number): UniformRng {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 20; i++) next();
  return () => (next() + 0.5) / 2 ** 32;
}

describe('Laplace mechanism', () => {
  const N = 20_000;
  const epsilon = 0.5;
  const draws = (() => {
    const rng = seeded(42);
    return Array.from({ length: N }, () => noisyCount(0, epsilon, { rng }));
  })();

  it('has mean 0 within 4 standard errors', () => {
    const sigma = Math.SQRT2 / epsilon;
    const mean = draws.reduce((s, x) => s + x, 0) / N;
    expect(Math.abs(mean)).toBeLessThan((4 * sigma) / Math.sqrt(N));
  });

  it.each([1, 2, 4, 6, 9.2])('has P(|X| > %s) close to exp(-t·ε)', (t) => {
    const expected = Math.exp(-t * epsilon);
    const observed = draws.filter((x) => Math.abs(x) > t).length / N;
    const se = Math.sqrt((expected * (1 - expected)) / N);
    expect(Math.abs(observed - expected)).toBeLessThan(4 * se);
  });

  it('is symmetric: about half the draws are positive', () => {
    const positive = draws.filter((x) => x > 0).length / N;
    expect(Math.abs(positive - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / N));
  });

  it('scales with sensitivity / epsilon', () => {
    const u = () => 0.9;
    expect(noisyCount(100, 0.5, { rng: u })).toBeCloseTo(100 - 2 * Math.log(0.2), 10);
    expect(noisyCount(100, 0.5, { sensitivity: 3, rng: u })).toBeCloseTo(100 - 6 * Math.log(0.2), 10);
    expect(laplaceNoise(1, () => 0.5)).toBe(0);
  });

  it('stays finite at the extremes of the rng and refuses out-of-range input', () => {
    expect(Number.isFinite(laplaceNoise(1, () => Number.MIN_VALUE))).toBe(true);
    expect(Number.isFinite(laplaceNoise(1, () => 1 - 2 ** -53))).toBe(true);
    expect(() => laplaceNoise(1, () => 0)).toThrow(/\(0, 1\)/);
    expect(() => laplaceNoise(1, () => 1)).toThrow(/\(0, 1\)/);
    expect(() => laplaceNoise(0)).toThrow(/scale/);
    expect(() => noisyCount(1, 0)).toThrow(/epsilon/);
    expect(() => noisyCount(1, -1)).toThrow(/epsilon/);
    expect(() => noisyCount(Number.NaN, 1)).toThrow(/finite/);
  });

  it('default rng is uniform in the open interval (0, 1)', () => {
    for (let i = 0; i < 2000; i++) {
      const u = cryptoUniform();
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
    }
    expect(Number.isFinite(noisyCount(10, 1))).toBe(true);
  });
});

describe('publicCount', () => {
  it('shows "<k" under the threshold and two significant figures above', () => {
    expect(publicCount(99.9, 100)).toBe('<100');
    expect(publicCount(-5, 100)).toBe('<100');
    expect(publicCount(100, 100)).toBe(100);
    expect(publicCount(1234.5, 100)).toBe(1200);
    expect(publicCount(1250, 100)).toBe(1300);
    expect(publicCount(98_765, 100)).toBe(99_000);
    expect(publicCount(7.4, 1)).toBe(7);
    // Rounding down would cross the threshold: rounds up instead.
    expect(publicCount(1049.5, 1049)).toBe(1100);
  });

  it('never returns a number below k or below 0, and stays within one rounding step', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (noisy, k) => {
          const shown = publicCount(noisy, k);
          if (noisy < k) {
            expect(shown).toBe(`<${k}`);
            return;
          }
          expect(typeof shown).toBe('number');
          const n = shown as number;
          expect(n).toBeGreaterThanOrEqual(k);
          expect(n).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(n)).toBe(true);
          const step = noisy > 0 ? Math.max(1, 10 ** (Math.floor(Math.log10(noisy)) - 1)) : 1;
          expect(Math.abs(n - noisy)).toBeLessThanOrEqual(step);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses non-finite input', () => {
    expect(() => publicCount(Number.NaN, 100)).toThrow();
    expect(() => publicCount(Infinity, 100)).toThrow();
    expect(() => publicCount(5, -1)).toThrow();
  });
});
