import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';

/** A minimal Global Vendor List, enough to encode real TC strings offline. */
function vendorList() {
  const purposes: Record<string, object> = {};
  for (let i = 1; i <= 11; i++) purposes[i] = { id: i, name: `purpose ${i}`, description: '', illustrations: [] };
  const vendor = (id: number) => ({
    id, name: `vendor ${id}`, purposes: [1, 3, 4], legIntPurposes: [], flexiblePurposes: [], specialPurposes: [],
    features: [], specialFeatures: [], urls: [],
  });
  return {
    gvlSpecificationVersion: 3, vendorListVersion: 100, tcfPolicyVersion: 5, lastUpdated: '2024-01-01T00:00:00Z',
    purposes, specialPurposes: {}, features: {}, specialFeatures: {}, stacks: {}, dataCategories: {},
    vendors: { 1: vendor(1), 7: vendor(7) },
  };
}

/** Encodes a TCF 2.2 TC string granting `purposes` and consent for `vendors`. */
export function aTcString(purposes: number[], vendors: number[]): string {
  const model = new TCModel(new GVL(vendorList() as any));
  model.cmpId = 10;
  model.cmpVersion = 1;
  model.purposeConsents.set(purposes);
  model.vendorConsents.set(vendors);
  return TCString.encode(model);
}
