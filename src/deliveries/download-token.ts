import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../common/app-error';

/**
 * Signed, expiring download links: `base64url(payload).base64url(HMAC-SHA256(secret, DOMAIN + payloadB64))`.
 * The token names the delivery and the buyer organisation it was issued to, so the download route must still
 * check that the delivery belongs to that buyer (a token is a capability for one delivery, not a login).
 * The domain prefix keeps these MACs from ever being valid for another use of the same secret.
 */
export interface DownloadTokenPayload {
  deliveryId: string;
  buyerOrgId: string;
  expiresAt: Date;
}

const DOMAIN = 'audex-download-v1.';
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 1024;
const MAC_BYTES = 32;

function mac(payloadB64: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(DOMAIN).update(payloadB64).digest();
}

function checkSecret(secret: string): void {
  // A programming error, not a client error: the config already enforces this length.
  if (typeof secret !== 'string' || secret.length < 32) throw new Error('download link secret must be at least 32 characters');
}

export function signDownloadToken(payload: DownloadTokenPayload, secret: string): string {
  checkSecret(secret);
  const exp = Math.floor(payload.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(exp)) throw new Error('expiresAt must be a valid date');
  if (!payload.deliveryId || !payload.buyerOrgId) throw new Error('deliveryId and buyerOrgId are required');
  const body = Buffer.from(JSON.stringify({ d: payload.deliveryId, b: payload.buyerOrgId, exp })).toString('base64url');
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

const invalid = () => AppError.unauthorized('DOWNLOAD_TOKEN_INVALID', 'The download link is invalid');

/** Returns the payload of a genuine, unexpired token; anything else is a 401. */
export function verifyDownloadToken(token: string, secret: string, now: Date = new Date()): DownloadTokenPayload {
  checkSecret(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw invalid();
  const parts = token.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]) || !B64URL.test(parts[1])) throw invalid();
  const [body, sig] = parts;
  const given = Buffer.from(sig, 'base64url');
  // Re-encoding must give back the same text, so there is exactly one accepted spelling of each MAC.
  if (given.length !== MAC_BYTES || given.toString('base64url') !== sig) throw invalid();
  if (!timingSafeEqual(given, mac(body, secret))) throw invalid();

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const p = parsed as { d?: unknown; b?: unknown; exp?: unknown };
  if (
    !p || typeof p !== 'object' || typeof p.d !== 'string' || !p.d || typeof p.b !== 'string' || !p.b ||
    typeof p.exp !== 'number' || !Number.isSafeInteger(p.exp)
  ) {
    throw invalid();
  }
  if (now.getTime() >= p.exp * 1000) {
    throw AppError.unauthorized('DOWNLOAD_TOKEN_EXPIRED', 'The download link has expired');
  }
  return { deliveryId: p.d, buyerOrgId: p.b, expiresAt: new Date(p.exp * 1000) };
}
