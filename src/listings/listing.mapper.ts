import type { DataLabelDto, ListingDto } from './dto/listing.dto';
import type { Listing } from './listing.schema';
import { renderEstimate } from './size-estimate';

const iso = (d?: Date) => (d ? d.toISOString() : undefined);

/** The owner's and admins' view of a listing. */
export function toListingDto(l: Listing, k: number): ListingDto {
  return {
    id: String(l._id),
    organizationId: String(l.orgId),
    segmentId: String(l.segmentId),
    title: l.title,
    description: l.description,
    taxonomyIds: l.taxonomyIds,
    pricing: { model: l.pricing.model, amount: l.pricing.amount, currency: l.pricing.currency },
    licenseDays: l.licenseDays,
    requiredPurposes: l.requiredPurposes,
    dataLabel: l.dataLabel as DataLabelDto,
    status: l.status,
    rejectionReason: l.rejectionReason,
    suspensionReason: l.suspensionReason,
    moderation: l.moderation.map((m) => ({ action: m.action, from: m.from, to: m.to, actorId: m.actorId, reason: m.reason, at: new Date(m.at).toISOString() })),
    version: l.version,
    consentedSize: l.consentedSize,
    sizeEstimate: l.approvedAt ? renderEstimate(l.sizeEstimate, k) : undefined,
    submittedAt: iso(l.submittedAt),
    approvedAt: iso(l.approvedAt),
    createdAt: l.createdAt.toISOString(),
    updatedAt: l.updatedAt.toISOString(),
  };
}
