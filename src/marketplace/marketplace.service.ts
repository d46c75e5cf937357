import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, toPage } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Listing } from '../listings/listing.schema';
import { ListingsRepository, type MarketplaceCriteria } from '../listings/listings.repository';
import type { MarketplaceListingDto, MarketplaceQuery, MarketplaceSort } from './dto/marketplace.dto';
import { toMarketplaceListingDto } from './marketplace.mapper';
import { MarketplaceSnapshot } from './marketplace.snapshot';

const SORTS: Record<MarketplaceSort, KeysetSort> = {
  price: { field: 'sortPrice', direction: 1 },
  '-price': { field: 'sortPrice', direction: -1 },
  size: { field: 'sizeEstimate', direction: 1 },
  '-size': { field: 'sizeEstimate', direction: -1 },
  newest: { field: 'listedAt', direction: -1 },
};

@Injectable()
export class MarketplaceService {
  constructor(
    private readonly listings: ListingsRepository,
    private readonly snapshot: MarketplaceSnapshot,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async search(q: MarketplaceQuery): Promise<Page<MarketplaceListingDto>> {
    const sort = SORTS[q.sort ?? 'newest'];
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const criteria: MarketplaceCriteria = {
      text: q.q?.trim().toLowerCase() || undefined,
      taxonomyId: q.taxonomyId,
      country: q.country,
      dataType: q.dataType,
      minSize: q.minSize,
      maxPrice: q.maxPrice,
      currency: q.currency,
    };
    const fromMemory = await this.snapshot.page(criteria, sort, limit, q.cursor, (d) => this.toDto(d));
    if (fromMemory) return fromMemory;
    const docs = await this.listings.findApprovedPage(criteria, sort, limit, q.cursor);
    return toPage(docs, limit, sort, (d) => this.toDto(d));
  }

  async get(id: string): Promise<MarketplaceListingDto> {
    const listing = await this.listings.findApprovedById(id);
    if (!listing) throw AppError.notFound('Listing');
    return this.toDto(listing);
  }

  private toDto(l: Listing): MarketplaceListingDto {
    return toMarketplaceListingDto(l, this.config.privacy.minSegmentSize);
  }

}
