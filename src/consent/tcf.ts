import { TCString } from '@iabtechlabtcf/core';
import { sha256Hex } from '../privacy/identifiers';
import { CONSENT_STATUSES, type ConsentStatus, type SubjectConsent } from '../audiences/subject.schema';

/** TCF purposes are numbered 1..11 in TCF 2.2. */
export const MAX_TCF_PURPOSE = 11;
const MAX_TC_STRING_LENGTH = 8192;

export interface DecodedTcString {
  purposes: number[];
  vendorConsent: boolean;
  at: Date;
  tcStringHash: string;
}

export class ConsentInputError extends Error {
  constructor(readonly code: 'INVALID_TC_STRING' | 'INVALID_CONSENT', message: string) {
    super(message);
  }
}

/** Decodes a TC string with the IAB library; only its purposes, our vendor's bit, lastUpdated and its hash are kept. */
export function decodeTcString(tcString: string, vendorId: number): DecodedTcString {
  if (typeof tcString !== 'string' || !tcString || tcString.length > MAX_TC_STRING_LENGTH) {
    throw new ConsentInputError('INVALID_TC_STRING', 'tcString is not a valid TCF string');
  }
  let model;
  try {
    model = TCString.decode(tcString.trim());
  } catch {
    throw new ConsentInputError('INVALID_TC_STRING', 'tcString is not a valid TCF string');
  }
  const purposes: number[] = [];
  model.purposeConsents.forEach((granted: boolean, id: number) => {
    if (granted && id >= 1 && id <= MAX_TCF_PURPOSE) purposes.push(id);
  });
  const at = model.lastUpdated instanceof Date && !Number.isNaN(model.lastUpdated.getTime()) ? model.lastUpdated : new Date();
  return {
    purposes: purposes.sort((a, b) => a - b),
    vendorConsent: model.vendorConsents.has(vendorId),
    at,
    tcStringHash: sha256Hex(tcString.trim()),
  };
}

/** Consent as a record or request states it, before normalization. */
export interface ConsentInput {
  tcString?: unknown;
  status?: unknown;
  purposes?: unknown;
  at?: unknown;
}

/** Normalized consent. `at` is undefined when the caller did not say when it was given. */
export interface NormalizedConsent {
  status: ConsentStatus;
  purposes: number[];
  vendorConsent: boolean;
  tcStringHash?: string;
  at?: Date;
}

const FUTURE_SLACK_MS = 24 * 3600 * 1000;

function parsePurposes(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_TCF_PURPOSE) {
    throw new ConsentInputError('INVALID_CONSENT', `consent purposes must be an array of integers 1..${MAX_TCF_PURPOSE}`);
  }
  const set = new Set<number>();
  for (const p of value) {
    if (!Number.isInteger(p) || p < 1 || p > MAX_TCF_PURPOSE) {
      throw new ConsentInputError('INVALID_CONSENT', `consent purposes must be integers 1..${MAX_TCF_PURPOSE}`);
    }
    set.add(p);
  }
  return [...set].sort((a, b) => a - b);
}

function parseAt(value: unknown, now: Date): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const d = typeof value === 'string' || value instanceof Date ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new ConsentInputError('INVALID_CONSENT', 'consent at must be an ISO 8601 date');
  if (d.getTime() > now.getTime() + FUTURE_SLACK_MS) throw new ConsentInputError('INVALID_CONSENT', 'consent at is in the future');
  return d;
}

/**
 * {tcString}: purposes, vendor consent and `at` (lastUpdated) come from the string; status is "granted" when
 * our vendor and at least one purpose have consent, else "denied" (an explicit status, if given, wins).
 * {status, purposes, at}: vendorConsent is true exactly when granted.
 */
export function normalizeConsent(input: ConsentInput, vendorId: number, now = new Date()): NormalizedConsent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConsentInputError('INVALID_CONSENT', 'consent must be an object');
  }
  const status = input.status === undefined || input.status === null || input.status === '' ? undefined : input.status;
  if (status !== undefined && !CONSENT_STATUSES.includes(status as ConsentStatus)) {
    throw new ConsentInputError('INVALID_CONSENT', `consent status must be one of ${CONSENT_STATUSES.join(', ')}`);
  }
  if (input.tcString !== undefined && input.tcString !== null && input.tcString !== '') {
    const tc = decodeTcString(input.tcString as string, vendorId);
    const derived: ConsentStatus = tc.vendorConsent && tc.purposes.length > 0 ? 'granted' : 'denied';
    return { status: (status as ConsentStatus) ?? derived, purposes: tc.purposes, vendorConsent: tc.vendorConsent && (status ?? derived) === 'granted', tcStringHash: tc.tcStringHash, at: tc.at };
  }
  if (status === undefined) throw new ConsentInputError('INVALID_CONSENT', 'consent needs a tcString or a status');
  const purposes = parsePurposes(input.purposes);
  return { status: status as ConsentStatus, purposes, vendorConsent: status === 'granted', at: parseAt(input.at, now) };
}

/** Two consents are the same choice when status, purposes, vendor consent and source string agree (time aside). */
export function sameConsent(a?: Pick<SubjectConsent, 'status' | 'purposes' | 'vendorConsent' | 'tcStringHash'> | null, b?: typeof a): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.status === b.status &&
    a.vendorConsent === b.vendorConsent &&
    (a.tcStringHash ?? null) === (b.tcStringHash ?? null) &&
    a.purposes.length === b.purposes.length &&
    a.purposes.every((p, i) => p === b.purposes[i])
  );
}
