import type { SubjectConsent } from '../audiences/subject.schema';
import type { ExclusionReason } from './delivery.schema';

/**
 * Why a subject may not be delivered right now, or null when its consent covers the use: consent granted,
 * every required TCF purpose granted, consent for Audex's vendor id, and no erasure after the consent.
 * The order of the checks decides which reason a subject is counted under when several apply.
 */
export function exclusionReason(
  consent: SubjectConsent | undefined | null,
  requiredPurposes: readonly number[],
  erasedAt?: Date | null,
): ExclusionReason | null {
  if (erasedAt && (!consent || new Date(consent.at).getTime() <= erasedAt.getTime())) return 'erased';
  if (!consent) return 'no_consent';
  if (consent.status === 'revoked') return 'revoked';
  if (consent.status === 'denied') return 'denied';
  if (consent.status !== 'granted') return 'no_consent';
  const granted = new Set(consent.purposes ?? []);
  if (requiredPurposes.some((p) => !granted.has(p))) return 'missing_purpose';
  if (!consent.vendorConsent) return 'no_vendor_consent';
  return null;
}
