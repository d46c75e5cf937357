import type { Audience } from '../audiences/audience.schema';
import type { MemberFacts } from '../segments/audience-data.repository';
import type { Segment } from '../segments/segment.schema';
import { IAB_AUDIENCE_TAXONOMY_VERSION } from './taxonomy/iab-audience-taxonomy-1.1';
import { taxonomyNode } from './taxonomy/taxonomy';

/**
 * The listing's IAB Tech Lab Data Transparency label. Two halves:
 * - declared by the publisher (who they are, how the audience was built, how precise it is);
 * - computed by Audex from the data itself at submission (ids, geography, sources, channels, freshness, party),
 *   plus the public size estimate written at approval. The publisher cannot overwrite computed fields.
 */
export const INCLUSION_METHODOLOGIES = ['declared', 'observed', 'inferred', 'modelled'] as const;
export type InclusionMethodology = (typeof INCLUSION_METHODOLOGIES)[number];
export const PRECISION_LEVELS = ['individual', 'household', 'business', 'device', 'browser', 'geography'] as const;
export type PrecisionLevel = (typeof PRECISION_LEVELS)[number];

export interface DeclaredLabel {
  providerName?: string;
  providerContactEmail?: string;
  audienceCriteria?: string;
  precisionLevel?: PrecisionLevel;
  privacyPolicyUrl?: string;
  inclusionMethodology?: InclusionMethodology;
}

export const DECLARED_LABEL_KEYS = [
  'providerName',
  'providerContactEmail',
  'audienceCriteria',
  'precisionLevel',
  'privacyPolicyUrl',
  'inclusionMethodology',
] as const;

export interface ComputedLabel {
  idTypes: ('email_sha256' | 'phone_sha256' | 'maid')[];
  geography: string[];
  dataSources: string[];
  channels: string[];
  audienceTypes: string[];
  refreshedAt: string | null;
  segmentComputedAt: string;
  lookbackDays: number | null;
  taxonomyVersion: string;
  taxonomy: { id: number; path: string }[];
  consent: { framework: string; requiredPurposes: number[] };
  labelComputedAt: string;
}

export type StoredLabel = DeclaredLabel & Partial<ComputedLabel> & { audienceSize?: number | string };

const DAY_MS = 24 * 3600 * 1000;

export function pickDeclared(input: DeclaredLabel | undefined): DeclaredLabel {
  const out: DeclaredLabel = {};
  for (const k of DECLARED_LABEL_KEYS) {
    const v = input?.[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export function computeLabel(input: {
  segment: Segment;
  audiences: Audience[];
  facts: MemberFacts;
  taxonomyIds: number[];
  requiredPurposes: number[];
  now: Date;
}): ComputedLabel {
  const { segment, audiences, facts, now } = input;
  const ingests = audiences.map((a) => a.lastIngestAt).filter((d): d is Date => d instanceof Date);
  const refreshedAt = ingests.length ? new Date(Math.max(...ingests.map((d) => d.getTime()))) : null;
  const idTypes: ComputedLabel['idTypes'] = [];
  if (facts.idTypes.emailSha256) idTypes.push('email_sha256');
  if (facts.idTypes.phoneSha256) idTypes.push('phone_sha256');
  if (facts.idTypes.maid) idTypes.push('maid');
  return {
    idTypes,
    geography: facts.countries,
    dataSources: [...new Set(audiences.map((a) => a.source))].sort(),
    channels: facts.channels,
    audienceTypes: [...new Set(audiences.map((a) => a.dataType))].sort(),
    refreshedAt: refreshedAt?.toISOString() ?? null,
    segmentComputedAt: segment.computedAt.toISOString(),
    lookbackDays: facts.oldestUpdatedAt ? Math.max(1, Math.ceil((now.getTime() - facts.oldestUpdatedAt.getTime()) / DAY_MS)) : null,
    taxonomyVersion: IAB_AUDIENCE_TAXONOMY_VERSION,
    taxonomy: input.taxonomyIds.map((id) => ({ id, path: taxonomyNode(id)?.path ?? String(id) })),
    consent: { framework: 'IAB TCF v2.2', requiredPurposes: input.requiredPurposes },
    labelComputedAt: now.toISOString(),
  };
}

/** The label as stored: declared fields (with defaults) plus computed ones. */
export function buildLabel(declared: DeclaredLabel, computed: ComputedLabel | undefined, providerFallback: string): StoredLabel {
  return {
    ...declared,
    providerName: declared.providerName ?? providerFallback,
    inclusionMethodology: declared.inclusionMethodology ?? 'declared',
    ...(computed ?? {}),
  };
}
