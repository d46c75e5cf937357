import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Opaque, high-entropy secrets; stored only as SHA-256 (a slow hash adds nothing at 256 bits of entropy). */
export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6).toString('hex');
  return { key: `adx_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function parseApiKey(key: string): { prefix: string } | null {
  const m = /^adx_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(key);
  return m ? { prefix: m[1] } : null;
}

export function safeEqualHex(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
