import { type HashedIds, identify } from '../../privacy/identifiers';
import { csvTraitValue, type Traits, validateTraits } from '../../privacy/traits';
import { ConsentInputError, type NormalizedConsent, normalizeConsent } from '../../consent/tcf';

/** A record after validation: hashed ids only; nothing raw survives this step. */
export interface ValidRecord {
  line: number;
  key: string;
  ids: HashedIds;
  traits: Traits;
  consent?: NormalizedConsent;
  /** Collection only. */
  channel?: string;
  seenAt?: Date;
}

export interface LineError {
  line: number;
  code: string;
  message: string;
}

export interface RecordRules {
  defaultPhoneCountry: string;
  deniedTraitTerms: readonly string[];
  vendorId: number;
}

const RECORD_FIELDS = new Set(['email', 'emailSha256', 'phone', 'phoneSha256', 'maid', 'traits', 'consent']);
const EVENT_FIELDS = new Set([...RECORD_FIELDS, 'channel', 'at']);
const CONSENT_FIELDS = new Set(['tcString', 'status', 'purposes', 'at']);
export const CHANNEL = /^[a-z][a-z0-9_]{0,31}$/;

const err = (line: number, code: string, message: string): LineError => ({ line, code, message });

/** Validates one upload record (or, with `event`, one /v1/collect event). */
export function validateRecord(raw: unknown, line: number, rules: RecordRules, event = false): ValidRecord | LineError {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return err(line, 'INVALID_RECORD', 'a record must be a JSON object');
  const rec = raw as Record<string, unknown>;
  const allowed = event ? EVENT_FIELDS : RECORD_FIELDS;
  // Field names only; never values, which may be personal data.
  const unknown = Object.keys(rec).find((k) => !allowed.has(k));
  if (unknown !== undefined) return err(line, 'UNKNOWN_FIELD', `unknown field "${unknown.slice(0, 64).replace(/[^\w.-]/g, '?')}"`);

  const id = identify(rec, rules.defaultPhoneCountry);
  if (!id.ok) return err(line, id.code, id.message);

  const traits = validateTraits(rec.traits, rules.deniedTraitTerms);
  if (!traits.ok) return err(line, traits.code, traits.message);

  let consent: NormalizedConsent | undefined;
  if (rec.consent !== undefined && rec.consent !== null) {
    if (typeof rec.consent === 'object' && !Array.isArray(rec.consent)) {
      const bad = Object.keys(rec.consent).find((k) => !CONSENT_FIELDS.has(k));
      if (bad !== undefined) return err(line, 'INVALID_CONSENT', 'consent has {tcString} or {status, purposes, at} only');
    }
    try {
      consent = normalizeConsent(rec.consent as object, rules.vendorId);
    } catch (e) {
      if (e instanceof ConsentInputError) return err(line, e.code, e.message);
      throw e;
    }
  }

  const out: ValidRecord = { line, key: id.key, ids: id.ids, traits: traits.traits, consent };
  if (event) {
    if (typeof rec.channel !== 'string' || !CHANNEL.test(rec.channel)) {
      return err(line, 'INVALID_CHANNEL', 'channel must match ^[a-z][a-z0-9_]{0,31}$');
    }
    const at = typeof rec.at === 'string' ? new Date(rec.at) : new Date(NaN);
    if (Number.isNaN(at.getTime())) return err(line, 'INVALID_EVENT_TIME', 'at must be an ISO 8601 date');
    out.channel = rec.channel;
    out.seenAt = at;
  }
  return out;
}

/** A CSV row (column → cell) as the JSON record it stands for. Empty cells are absent values. */
export function csvRowToRecord(row: Record<string, string>): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  const traits: Record<string, unknown> = {};
  const consent: Record<string, unknown> = {};
  for (const [col, cell] of Object.entries(row)) {
    if (cell === undefined || cell === '') continue;
    switch (col) {
      case 'email': rec.email = cell; break;
      case 'email_sha256': rec.emailSha256 = cell; break;
      case 'phone': rec.phone = cell; break;
      case 'phone_sha256': rec.phoneSha256 = cell; break;
      case 'maid': rec.maid = cell; break;
      case 'consent_status': consent.status = cell; break;
      case 'consent_purposes':
        consent.purposes = cell.split(';').map((p) => p.trim()).filter(Boolean).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        break;
      case 'consent_at': consent.at = cell; break;
      case 'tc_string': consent.tcString = cell; break;
      default:
        if (col.startsWith('trait.')) traits[col.slice('trait.'.length)] = csvTraitValue(cell);
    }
  }
  if (Object.keys(traits).length) rec.traits = traits;
  if (Object.keys(consent).length) rec.consent = consent;
  return rec;
}
