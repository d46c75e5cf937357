import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/app-error';
import type { AuthContext } from '../common/auth.decorators';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Listing } from '../listings/listing.schema';
import { ListingsRepository } from '../listings/listings.repository';
import { checkTaxonomyIds } from '../listings/taxonomy/taxonomy';
import { toMarketplaceListingDto } from '../marketplace/marketplace.mapper';
import { MarketplaceSnapshot } from '../marketplace/marketplace.snapshot';
import { SegmentsService } from '../segments/segments.service';
import { noisyCount, publicCount } from './differential-privacy';
import type { OverlapRequest, OverlapResultDto } from './dto/overlap.dto';
import { DEFAULT_RECOMMENDATIONS, type RecommendationBriefDto, type RecommendationListDto } from './dto/recommendation.dto';
import { countDistinctMatches } from './exact-overlap';
import { OverlapQueriesRepository } from './overlap-queries.repository';
import { PrivacyBudget } from './privacy-budget';
import { byScoreThenId, scoreListing } from './recommendation-score';

/** Approved listings scored per brief when the marketplace snapshot is unavailable (newest first). */
export const RECOMMENDATION_SCAN_MAX = 10_000;

@Injectable()
export class MatchingService {
  constructor(
    private readonly listings: ListingsRepository,
    private readonly segments: SegmentsService,
    private readonly budget: PrivacyBudget,
    private readonly queries: OverlapQueriesRepository,
    private readonly snapshot: MarketplaceSnapshot,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * How many of the buyer's identifiers are consented members of the listing's segment, as a noised estimate.
   * ε is spent before anything is computed, so a failing or slow count still costs budget (no free retries).
   */
  async overlap(auth: AuthContext, input: OverlapRequest): Promise<OverlapResultDto> {
    const listing = await this.listings.findApprovedById(input.listingId);
    if (!listing) throw AppError.notFound('Listing');
    const listingId = String(listing._id);
    const privacy = await this.budget.spend(auth.orgId, listingId);
    const submitted = input.identifiers.size;

    const segment = await this.segments.findOwned({ orgId: String(listing.orgId) }, String(listing.segmentId));
    const exact = await countDistinctMatches(this.segments.consentedKeyBatches(segment, listing.requiredPurposes), input.identifiers);

    const epsilon = this.config.privacy.overlapEpsilon;
    const k = this.config.privacy.minSegmentSize;
    const shown = publicCount(noisyCount(exact, epsilon), k);
    const matchRateEstimate = typeof shown === 'number' ? Math.min(1, Math.round((shown / submitted) * 100) / 100) : null;

    await this.queries.record({
      listingId: listing._id,
      sellerOrgId: listing.orgId,
      buyerOrgId: new Types.ObjectId(auth.orgId),
      submitted,
      epsilon,
      ...(typeof shown === 'number' ? { matchedEstimate: shown } : {}),
      at: new Date(),
    });
    return { listingId, submitted, matchedEstimate: shown, matchRateEstimate, privacy: { epsilon, ...privacy } };
  }

  /** Every approved listing scored against the brief (recommendation-score.ts), best first. */
  async recommend(_auth: AuthContext, brief: RecommendationBriefDto): Promise<RecommendationListDto> {
    const taxonomyIds = brief.taxonomyIds ? [...new Set(brief.taxonomyIds)] : undefined;
    const problem = taxonomyIds && checkTaxonomyIds(taxonomyIds, this.config.privacy.deniedTraitTerms);
    if (problem) {
      const message = problem.code === 'SENSITIVE_TAXONOMY' ? 'falls in a special category of personal data' : 'is not in the taxonomy';
      throw AppError.badRequest(problem.code, `Taxonomy id ${problem.id} ${message}`, [{ taxonomyId: problem.id }]);
    }
    const k = this.config.privacy.minSegmentSize;
    const criteria = {
      taxonomyIds,
      countries: brief.countries ? [...new Set(brief.countries)] : undefined,
      minSize: brief.minSize,
      maxCpm: brief.maxCpm,
      budget: brief.budget,
      currency: brief.currency ?? 'eur',
    };
    const listings = await this.approvedListings();
    const scored = listings.map((l) => ({ id: String(l._id), listing: l, ...scoreListing(l, criteria, k) }));
    scored.sort(byScoreThenId);
    return {
      items: scored.slice(0, brief.limit ?? DEFAULT_RECOMMENDATIONS).map((s) => ({
        listing: toMarketplaceListingDto(s.listing, k),
        score: s.score,
        reasons: s.reasons,
      })),
    };
  }

  /** The marketplace snapshot when it holds the catalogue, else a bounded scan of the newest approved listings. */
  private async approvedListings(): Promise<readonly Listing[]> {
    return (await this.snapshot.approved()) ?? this.listings.findNewestApprovedPublic(RECOMMENDATION_SCAN_MAX);
  }
}
