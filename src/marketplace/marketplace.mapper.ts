import type { DataLabelDto } from '../listings/dto/listing.dto';
import type { Listing } from '../listings/listing.schema';
import { renderEstimate } from '../listings/size-estimate';
import type { MarketplaceListingDto } from './dto/marketplace.dto';

/** The public face of an approved listing (browse, recommendations): no exact size, segment or moderation. */
export function toMarketplaceListingDto(l: Listing, k: number): MarketplaceListingDto {
  return {
    id: String(l._id),
    title: l.title,
    description: l.description,
    taxonomyIds: l.taxonomyIds,
    pricing: { model: l.pricing.model, amount: l.pricing.amount, currency: l.pricing.currency },
    licenseDays: l.licenseDays,
    sizeEstimate: renderEstimate(l.sizeEstimate, k),
    dataLabel: l.dataLabel as DataLabelDto,
    publisher: { id: String(l.orgId), name: l.publisherName ?? '' },
    countries: l.countries,
    dataTypes: l.dataTypes,
    listedAt: (l.listedAt ?? l.approvedAt ?? l.updatedAt).toISOString(),
  };
}
