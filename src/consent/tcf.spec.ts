import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import { createHash } from 'node:crypto';
import { decodeTcString, normalizeConsent, sameConsent } from './tcf';

function tcString(purposes: number[], vendors: number[]): string {
  const p: Record<string, object> = {};
  for (let i = 1; i <= 11; i++) p[i] = { id: i, name: `p${i}`, description: '', illustrations: [] };
  const v = (id: number) => ({ id, name: `v${id}`, purposes: [1], legIntPurposes: [], flexiblePurposes: [], specialPurposes: [], features: [], specialFeatures: [], urls: [] });
  const gvl = new GVL({
    gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 5, lastUpdated: '2024-01-01T00:00:00Z',
    purposes: p, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {}, vendors: { 1: v(1), 9: v(9) },
  } as any);
  const m = new TCModel(gvl);
  m.cmpId = 10;
  m.cmpVersion = 1;
  m.purposeConsents.set(purposes);
  m.vendorConsents.set(vendors);
  return TCString.encode(m);
}

describe('TCF decoding', () => {
  it('reads purposes, our vendor consent and lastUpdated; keeps only the hash', () => {
    const tc = tcString([1, 3, 4], [1]);
    const d = decodeTcString(tc, 1);
    expect(d).toEqual({ purposes: [1, 3, 4], vendorConsent: true, at: expect.any(Date), tcStringHash: createHash('sha256').update(tc).digest('hex') });
    expect(decodeTcString(tc, 9).vendorConsent).toBe(false);
  });

  it('derives status from vendor consent and purposes', () => {
    expect(normalizeConsent({ tcString: tcString([1, 3, 4], [1]) }, 1).status).toBe('granted');
    expect(normalizeConsent({ tcString: tcString([1, 3, 4], [9]) }, 1)).toMatchObject({ status: 'denied', vendorConsent: false });
    expect(normalizeConsent({ tcString: tcString([], [1]) }, 1).status).toBe('denied');
  });

  it('refuses what is not a TC string', () => {
    expect(() => decodeTcString('garbage', 1)).toThrow(expect.objectContaining({ code: 'INVALID_TC_STRING' }));
    expect(() => decodeTcString('', 1)).toThrow(expect.objectContaining({ code: 'INVALID_TC_STRING' }));
  });
});

describe('explicit consent', () => {
  it('normalizes purposes and sets vendor consent when granted', () => {
    expect(normalizeConsent({ status: 'granted', purposes: [4, 1, 3, 1], at: '2024-01-01T00:00:00Z' }, 1)).toEqual({
      status: 'granted', purposes: [1, 3, 4], vendorConsent: true, at: new Date('2024-01-01T00:00:00Z'),
    });
    expect(normalizeConsent({ status: 'denied' }, 1)).toEqual({ status: 'denied', purposes: [], vendorConsent: false, at: undefined });
  });

  it.each([{ status: 'maybe' }, {}, { status: 'granted', purposes: [0] }, { status: 'granted', purposes: [12] }, { status: 'granted', at: 'yesterday' }, { status: 'granted', at: '2999-01-01T00:00:00Z' }])(
    'refuses %j',
    (input) => expect(() => normalizeConsent(input, 1)).toThrow(expect.objectContaining({ code: 'INVALID_CONSENT' })),
  );

  it('compares choices, not times', () => {
    const a = { status: 'granted' as const, purposes: [1, 3], vendorConsent: true };
    expect(sameConsent(a, { ...a })).toBe(true);
    expect(sameConsent(a, { ...a, purposes: [1] })).toBe(false);
    expect(sameConsent(undefined, undefined)).toBe(true);
    expect(sameConsent(a, undefined)).toBe(false);
  });
});
