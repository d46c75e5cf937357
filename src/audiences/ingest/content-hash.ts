import { createHash } from 'node:crypto';
import { type HashedIds } from '../../privacy/identifiers';
import { type Traits } from '../../privacy/traits';

interface ConsentChoice {
  status: string;
  purposes: number[];
  vendorConsent: boolean;
  tcStringHash?: string;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

/**
 * SHA-256 of a subject's stored content (ids, traits, consent choice). The consent's time is left out, so a
 * re-sent file without consent times still reads as unchanged.
 */
export function subjectContentHash(state: { ids: HashedIds; traits: Traits; consent?: ConsentChoice | null }): string {
  const c = state.consent;
  const consent = c ? { status: c.status, purposes: c.purposes, vendorConsent: c.vendorConsent, tcStringHash: c.tcStringHash } : null;
  return createHash('sha256').update(canonical({ ids: state.ids, traits: state.traits, consent })).digest('hex');
}
