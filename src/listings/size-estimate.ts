import { createHmac } from 'node:crypto';

/**
 * Public size estimates. A listing's size is shown to buyers as
 *
 *   estimate = round2sf(max(0, exact + Laplace(0, scale)))        shown as `<k` when estimate < k
 *
 * The Laplace draw is not random per read: its uniform input comes from HMAC-SHA256(secret, segmentId:exact),
 * so the same segment at the same size always gets the same noise. Reading a listing a thousand times, or
 * listing one segment ten times, yields one value, so the noise cannot be averaged away; it changes only when
 * the underlying count changes. The estimate is computed once, at approval, and stored.
 */
export interface SizeNoiseParams {
  /** Laplace scale b = sensitivity / ε; a count has sensitivity 1. 0 disables noise (rounding still applies). */
  scale: number;
  secret: string;
}

/** A uniform value in (0, 1) derived from the secret and the seed: deterministic, unpredictable without the secret. */
export function seededUniform(secret: string, seed: string): number {
  const digest = createHmac('sha256', secret).update(seed).digest();
  // 48 bits are plenty; +0.5 keeps the value strictly inside (0, 1).
  return (digest.readUIntBE(0, 6) + 0.5) / 2 ** 48;
}

/** Inverse CDF of Laplace(0, scale) at u ∈ (0, 1). */
export function laplace(u: number, scale: number): number {
  if (!(u > 0 && u < 1)) throw new RangeError('u must be in (0, 1)');
  const d = u - 0.5;
  if (d === 0) return 0;
  return -scale * Math.sign(d) * Math.log(1 - 2 * Math.abs(d));
}

/** Rounds to `digits` significant figures (0 stays 0). */
export function roundSignificant(x: number, digits = 2): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const factor = 10 ** (magnitude - digits + 1);
  return Math.round(x / factor) * factor;
}

export function noisySizeEstimate(exact: number, seed: string, params: SizeNoiseParams): number {
  const noise = params.scale > 0 ? laplace(seededUniform(params.secret, seed), params.scale) : 0;
  return Math.max(0, roundSignificant(Math.max(0, exact + noise)));
}

export const sizeSeed = (segmentId: string, exact: number) => `${segmentId}:${exact}`;

/** The number to store for filters and sorting: 0 when under the threshold, so "<k" listings never match minSize. */
export function storedEstimate(estimate: number, k: number): number {
  return estimate < k ? 0 : estimate;
}

/** How a stored estimate is shown: the number, or "<k". */
export function renderEstimate(stored: number, k: number): number | string {
  return stored < k ? `<${k}` : stored;
}
