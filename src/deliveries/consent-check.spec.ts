import fc from 'fast-check';
import type { SubjectConsent } from '../audiences/subject.schema';
import { exclusionReason } from './consent-check';

const at = new Date('2026-06-01T00:00:00Z');
const granted = (over: Partial<SubjectConsent> = {}): SubjectConsent => ({
  status: 'granted',
  purposes: [1, 2, 3, 4, 7],
  vendorConsent: true,
  at,
  ...over,
});

describe('exclusionReason', () => {
  it.each<[string, SubjectConsent | undefined, Date | undefined, string | null]>([
    ['valid consent', granted(), undefined, null],
    ['no consent at all', undefined, undefined, 'no_consent'],
    ['denied', granted({ status: 'denied' }), undefined, 'denied'],
    ['revoked', granted({ status: 'revoked' }), undefined, 'revoked'],
    ['purpose 4 missing', granted({ purposes: [1, 3] }), undefined, 'missing_purpose'],
    ['no vendor consent', granted({ vendorConsent: false }), undefined, 'no_vendor_consent'],
    ['erased after consent', granted(), new Date('2026-07-01T00:00:00Z'), 'erased'],
    ['fresh consent after erasure', granted({ at: new Date('2026-08-01T00:00:00Z') }), new Date('2026-07-01T00:00:00Z'), null],
  ])('%s', (_name, consent, erasedAt, expected) => {
    expect(exclusionReason(consent, [1, 3, 4], erasedAt)).toBe(expected);
  });

  it('never admits a subject missing a required purpose or the vendor (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { minLength: 1 }),
        fc.boolean(),
        fc.constantFrom('granted', 'denied', 'revoked'),
        (purposes, required, vendorConsent, status) => {
          const reason = exclusionReason(granted({ purposes, vendorConsent, status: status as SubjectConsent['status'] }), required);
          const ok = status === 'granted' && vendorConsent && required.every((p) => purposes.includes(p));
          expect(reason === null).toBe(ok);
        },
      ),
    );
  });
});
