import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { createHash } from 'node:crypto';

/**
 * Identifier normalization and hashing, done at the edge before anything else sees the value.
 * Pure functions: ingest, collection, consent, erasure, segments and matching all use these, so a person
 * hashes to the same key everywhere. Error messages never contain the value.
 */

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

export const isSha256Hex = (value: unknown): value is string => typeof value === 'string' && SHA256_HEX.test(value);

/**
 * UID2-style email normalization: trim, lower-case; for gmail.com / googlemail.com drop dots and any "+tag"
 * from the local part. Returns null when the value is not an email address.
 */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || /\s/.test(email)) return null;
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || email.indexOf('@') !== at) return null;
  let local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(domain)) return null;
  if (GMAIL_DOMAINS.has(domain)) {
    const plus = local.indexOf('+');
    if (plus >= 0) local = local.slice(0, plus);
    local = local.replace(/\./g, '');
    if (!local) return null;
  }
  return `${local}@${domain}`;
}

/** E.164 via libphonenumber-js; a number without a country prefix is read in `defaultCountry`. */
export function normalizePhone(raw: string, defaultCountry: string): string | null {
  const trimmed = raw.trim();
  if (!trimmed || trimmed.length > 40) return null;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** Mobile advertising ids (IDFA / AAID): lower-case UUID. */
export function normalizeMaid(raw: string): string | null {
  const maid = raw.trim().toLowerCase();
  return MAID.test(maid) ? maid : null;
}

export interface IdentifierInput {
  email?: unknown;
  emailSha256?: unknown;
  phone?: unknown;
  phoneSha256?: unknown;
  maid?: unknown;
}
export const IDENTIFIER_FIELDS = ['email', 'emailSha256', 'phone', 'phoneSha256', 'maid'] as const;

export interface HashedIds {
  emailSha256?: string;
  phoneSha256?: string;
  maid?: string;
}

export interface IdentifierError {
  code: 'MISSING_IDENTIFIER' | 'INVALID_EMAIL' | 'INVALID_PHONE' | 'INVALID_MAID' | 'INVALID_HASH' | 'IDENTIFIER_CONFLICT';
  message: string;
}

export type Identified = { ok: true; key: string; ids: HashedIds } | ({ ok: false } & IdentifierError);

const fail = (code: IdentifierError['code'], message: string): Identified => ({ ok: false, code, message });

/**
 * Hashes whatever identifiers a record carries and picks the subject key.
 * Precedence: email (raw or pre-hashed), then phone, then maid; key = that identifier's SHA-256 hex
 * (for a maid, SHA-256 of the normalized maid). Raw values are dropped here.
 */
export function identify(input: IdentifierInput, defaultPhoneCountry: string): Identified {
  const ids: HashedIds = {};
  const str = (v: unknown) => v !== undefined && v !== null && v !== '';

  if (str(input.email)) {
    if (typeof input.email !== 'string') return fail('INVALID_EMAIL', 'email must be a string');
    const email = normalizeEmail(input.email);
    if (!email) return fail('INVALID_EMAIL', 'email is not a valid email address');
    ids.emailSha256 = sha256Hex(email);
  }
  if (str(input.emailSha256)) {
    if (!isSha256Hex(input.emailSha256)) return fail('INVALID_HASH', 'emailSha256 must be 64 lower-case hex characters');
    if (ids.emailSha256 && ids.emailSha256 !== input.emailSha256) {
      return fail('IDENTIFIER_CONFLICT', 'email and emailSha256 do not match');
    }
    ids.emailSha256 = input.emailSha256;
  }
  if (str(input.phone)) {
    if (typeof input.phone !== 'string') return fail('INVALID_PHONE', 'phone must be a string');
    const phone = normalizePhone(input.phone, defaultPhoneCountry);
    if (!phone) return fail('INVALID_PHONE', 'phone is not a valid phone number');
    ids.phoneSha256 = sha256Hex(phone);
  }
  if (str(input.phoneSha256)) {
    if (!isSha256Hex(input.phoneSha256)) return fail('INVALID_HASH', 'phoneSha256 must be 64 lower-case hex characters');
    if (ids.phoneSha256 && ids.phoneSha256 !== input.phoneSha256) {
      return fail('IDENTIFIER_CONFLICT', 'phone and phoneSha256 do not match');
    }
    ids.phoneSha256 = input.phoneSha256;
  }
  if (str(input.maid)) {
    if (typeof input.maid !== 'string') return fail('INVALID_MAID', 'maid must be a string');
    const maid = normalizeMaid(input.maid);
    if (!maid) return fail('INVALID_MAID', 'maid must be a UUID');
    ids.maid = maid;
  }
  const key = ids.emailSha256 ?? ids.phoneSha256 ?? (ids.maid ? sha256Hex(ids.maid) : undefined);
  if (!key) return fail('MISSING_IDENTIFIER', 'one of email, emailSha256, phone, phoneSha256 or maid is required');
  return { ok: true, key, ids };
}
