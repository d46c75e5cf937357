import { randomBytes } from 'node:crypto';

/**
 * The Laplace mechanism for the counts Audex shows to buyers (segment sizes, overlaps).
 *
 * A count changes by at most `sensitivity` (1) when one subject is added or removed. Adding noise drawn from
 * Laplace(0, b) with b = sensitivity / ε makes the released value ε-differentially private: for any two
 * neighbouring datasets, the probability of any output differs by a factor of at most e^ε. Repeated releases
 * about the same data add up (sequential composition), which is why each buyer has an ε budget per listing
 * (privacy-budget.ts).
 *
 * Accuracy: P(|noise| > t) = exp(-t / b) = exp(-t·ε / sensitivity). With ε = 0.5 and sensitivity 1 the noise
 * exceeds 6 in 5% of releases and 9.2 in 1%. The noise has mean 0 and standard deviation √2·b.
 *
 * The released number is then post-processed (rounding to two significant figures, "<k" below the threshold),
 * which costs no privacy and also hides the low-order bits where floating-point Laplace samplers can leak
 * (Mironov, CCS 2012).
 */

/** A uniform random number in the open interval (0, 1). */
export type UniformRng = () => number;

const TWO_POW_53 = 2 ** 53;

/** Cryptographically random uniform in (0, 1): 53 random bits, centred in their cell so 0 is never produced. */
export const cryptoUniform: UniformRng = () => {
  const k = randomBytes(8).readBigUInt64BE() >> 11n;
  return (Number(k) + 0.5) / TWO_POW_53;
};

/** One draw from Laplace(0, scale) by inverting its CDF. */
export function laplaceNoise(scale: number, rng: UniformRng = cryptoUniform): number {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`Laplace scale must be a positive number, got ${scale}`);
  const u = rng();
  if (!(u > 0 && u < 1)) throw new Error(`rng must return a number in (0, 1), got ${u}`);
  // Each tail from its own side: computing 1 - 2|u - 0.5| instead would round to 0 for u near 0 (log → -∞).
  const x = u < 0.5 ? scale * Math.log(2 * u) : -scale * Math.log(2 * (1 - u));
  return x + 0; // no -0
}

export function noisyCount(
  trueCount: number,
  epsilon: number,
  opts: { sensitivity?: number; rng?: UniformRng } = {},
): number {
  const sensitivity = opts.sensitivity ?? 1;
  if (!Number.isFinite(trueCount)) throw new Error('trueCount must be a finite number');
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new Error(`epsilon must be a positive number, got ${epsilon}`);
  if (!(sensitivity > 0) || !Number.isFinite(sensitivity)) throw new Error('sensitivity must be a positive number');
  return trueCount + laplaceNoise(sensitivity / epsilon, opts.rng);
}

export type BelowThreshold = `<${number}`;

/**
 * What a buyer sees: `"<k"` when the noisy value is under the threshold k, else the value rounded to two
 * significant figures (and to a whole number), never below k and never negative. The rounding step is
 * 10^(digits-2), at least 1, and the shown number is within one step of the noisy value.
 */
export function publicCount(noisy: number, k: number): number | BelowThreshold {
  if (!Number.isFinite(noisy)) throw new Error('noisy count must be a finite number');
  if (!Number.isFinite(k) || k < 0) throw new Error(`threshold must be a non-negative number, got ${k}`);
  if (noisy < k) return `<${k}`;
  if (noisy <= 0) return 0;
  const step = Math.max(1, 10 ** (Math.floor(Math.log10(noisy)) - 1));
  let shown = Math.round(noisy / step) * step;
  if (shown < k) shown = Math.ceil(noisy / step) * step; // rounding down must not cross the threshold
  return Math.max(0, shown);
}
