import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/app-error';
import type { AuthContext } from '../common/auth.decorators';
import { DEFAULT_PAGE_LIMIT, type KeysetSort, type Page, toPage } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { SegmentsService } from '../segments/segments.service';
import { buildLabel, computeLabel, type DeclaredLabel, pickDeclared } from './data-label';
import type { CreateListingDto, ListingDto, ListingStatusQuery, UpdateListingDto } from './dto/listing.dto';
import { toListingDto } from './listing.mapper';
import type { Listing, ListingStatus, ModerationEvent } from './listing.schema';
import { ListingsRepository } from './listings.repository';
import { noisySizeEstimate, renderEstimate, sizeSeed, storedEstimate } from './size-estimate';
import { checkTaxonomyIds, taxonomyNode } from './taxonomy/taxonomy';

type Action = ModerationEvent['action'];

/** The lifecycle (CONTRACT.md): which states each action may start from, where it leads, and the 409 code otherwise. */
const TRANSITIONS: Record<Exclude<Action, 'edit'>, { from: readonly ListingStatus[]; to: ListingStatus; code: string; message: string }> = {
  submit: { from: ['draft', 'rejected'], to: 'pending_review', code: 'LISTING_NOT_SUBMITTABLE', message: 'Only a draft or rejected listing can be submitted' },
  approve: { from: ['pending_review'], to: 'approved', code: 'LISTING_NOT_PENDING', message: 'Only a listing pending review can be approved' },
  reject: { from: ['pending_review'], to: 'rejected', code: 'LISTING_NOT_PENDING', message: 'Only a listing pending review can be rejected' },
  suspend: { from: ['approved'], to: 'suspended', code: 'LISTING_NOT_APPROVED', message: 'Only an approved listing can be suspended' },
  reinstate: { from: ['suspended'], to: 'approved', code: 'LISTING_NOT_SUSPENDED', message: 'Only a suspended listing can be reinstated' },
  archive: {
    from: ['draft', 'pending_review', 'approved', 'rejected', 'suspended'],
    to: 'archived',
    code: 'LISTING_ARCHIVED',
    message: 'The listing is already archived',
  },
};

const NEWEST_FIRST: KeysetSort = { field: '_id', direction: -1 };
const QUEUE_ORDER: KeysetSort = { field: 'submittedAt', direction: 1 };
const OLDEST_FIRST: KeysetSort = { field: '_id', direction: 1 };

@Injectable()
export class ListingsService {
  constructor(
    private readonly listings: ListingsRepository,
    private readonly segments: SegmentsService,
    private readonly organizations: OrganizationsRepository,
    private readonly audit: AuditService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  // ---- publisher ----

  async create(auth: AuthContext, input: CreateListingDto): Promise<ListingDto> {
    const segment = await this.segments.findOwned(auth, input.segmentId);
    this.checkTaxonomy(input.taxonomyIds);
    const listing = await this.listings.create({
      orgId: new Types.ObjectId(auth.orgId),
      segmentId: segment._id,
      title: input.title.trim(),
      description: input.description,
      searchText: searchText(input.title, input.description),
      taxonomyIds: input.taxonomyIds,
      taxonomyAncestorIds: ancestry(input.taxonomyIds),
      pricing: { model: input.pricing.model, amount: input.pricing.amount, currency: input.pricing.currency },
      licenseDays: input.licenseDays,
      dataLabel: pickDeclared(input.dataLabel) as Record<string, unknown>,
      status: 'draft',
      moderation: [],
    });
    await this.audit.record(auth, { action: 'listing.create', targetType: 'listing', targetId: String(listing._id), orgId: auth.orgId });
    return this.toDto(listing);
  }

  async list(auth: AuthContext, q: ListingStatusQuery): Promise<Page<ListingDto>> {
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const docs = await this.listings.findPage({ orgId: auth.orgId, status: q.status }, NEWEST_FIRST, limit, q.cursor);
    return toPage(docs, limit, NEWEST_FIRST, (d) => this.toDto(d));
  }

  async get(auth: AuthContext, id: string): Promise<ListingDto> {
    return this.toDto(await this.findOwned(auth, id));
  }

  /**
   * Only drafts and rejected listings change. An approved listing is never edited in place (buyers and orders
   * refer to what was reviewed): the publisher archives it and creates a new listing, which goes to review.
   */
  async update(auth: AuthContext, id: string, input: UpdateListingDto): Promise<ListingDto> {
    const current = await this.findOwned(auth, id);
    if (current.status !== 'draft' && current.status !== 'rejected') throw notEditable(current.status);
    const set: Record<string, unknown> = {};
    if (input.segmentId !== undefined) set.segmentId = (await this.segments.findOwned(auth, input.segmentId))._id;
    if (input.taxonomyIds !== undefined) {
      this.checkTaxonomy(input.taxonomyIds);
      set.taxonomyIds = input.taxonomyIds;
      set.taxonomyAncestorIds = ancestry(input.taxonomyIds);
    }
    if (input.title !== undefined) set.title = input.title.trim();
    if (input.description !== undefined) set.description = input.description;
    if (input.title !== undefined || input.description !== undefined) {
      set.searchText = searchText(input.title ?? current.title, input.description ?? current.description);
    }
    if (input.pricing !== undefined) set.pricing = { model: input.pricing.model, amount: input.pricing.amount, currency: input.pricing.currency };
    if (input.licenseDays !== undefined) set.licenseDays = input.licenseDays;
    // The computed half of the label is rebuilt at the next submission, so only the declared half is kept.
    if (input.dataLabel !== undefined) set.dataLabel = pickDeclared({ ...pickDeclared(current.dataLabel as DeclaredLabel), ...input.dataLabel });
    const updated = await this.listings.updateEditable(auth.orgId, id, { status: current.status, seq: current.rev }, set, {
      action: 'edit',
      actorId: auth.userId,
      at: new Date(),
    });
    if (!updated) {
      const now = await this.findOwned(auth, id);
      throw notEditable(now.status);
    }
    await this.audit.record(auth, { action: 'listing.edit', targetType: 'listing', targetId: id, orgId: auth.orgId, details: { fields: Object.keys(set) } });
    return this.toDto(updated);
  }

  /** Recounts the segment now and refuses one below the minimum; computes the Data Label from the data. */
  async submit(auth: AuthContext, id: string): Promise<ListingDto> {
    const listing = await this.findOwned(auth, id);
    this.assertFrom('submit', listing.status);
    const segment = await this.segments.recount(await this.segments.findOwned(auth, String(listing.segmentId)));
    const k = this.config.privacy.minSegmentSize;
    if (segment.consentedSize < k) {
      throw AppError.conflict('SEGMENT_TOO_SMALL', `A listed segment needs at least ${k} consented members`, [
        { minimum: k, consentedSize: segment.consentedSize },
      ]);
    }
    const [audiences, facts, org] = await Promise.all([
      this.segments.audiencesOf(segment),
      this.segments.memberFacts(segment),
      this.organizations.findById(auth.orgId),
    ]);
    const now = new Date();
    const computed = computeLabel({ segment, audiences, facts, taxonomyIds: listing.taxonomyIds, requiredPurposes: listing.requiredPurposes, now });
    const publisherName = org?.name ?? 'Unknown publisher';
    const label = buildLabel(pickDeclared(listing.dataLabel as DeclaredLabel), computed, publisherName);
    return this.move(auth, 'submit', listing, {
      orgId: auth.orgId,
      set: {
        consentedSize: segment.consentedSize,
        dataLabel: label,
        countries: computed.geography,
        dataTypes: computed.audienceTypes,
        publisherName,
        submittedAt: now,
      },
      unset: ['rejectionReason'],
    });
  }

  async archive(auth: AuthContext, id: string): Promise<ListingDto> {
    const listing = await this.findOwned(auth, id);
    return this.move(auth, 'archive', listing, { orgId: auth.orgId });
  }

  // ---- admin ----

  async adminList(q: ListingStatusQuery): Promise<Page<ListingDto>> {
    const status = q.status ?? 'pending_review';
    const limit = q.limit ?? DEFAULT_PAGE_LIMIT;
    const sort = status === 'pending_review' ? QUEUE_ORDER : OLDEST_FIRST;
    const docs = await this.listings.findPage({ status }, sort, limit, q.cursor);
    return toPage(docs, limit, sort, (d) => this.toDto(d));
  }

  async adminGet(id: string): Promise<ListingDto> {
    return this.toDto(await this.findAny(id));
  }

  /** Fixes the public size estimate (noised once, stored) and the comparable price. */
  async approve(auth: AuthContext, id: string): Promise<ListingDto> {
    const listing = await this.findAny(id);
    this.assertFrom('approve', listing.status);
    const k = this.config.privacy.minSegmentSize;
    const estimate = noisySizeEstimate(listing.consentedSize, sizeSeed(String(listing.segmentId), listing.consentedSize), {
      scale: this.config.privacy.sizeNoiseScale,
      secret: this.config.privacy.sizeNoiseSecret,
    });
    const stored = storedEstimate(estimate, k);
    const now = new Date();
    return this.move(auth, 'approve', listing, {
      set: {
        sizeEstimate: stored,
        sortPrice: comparablePrice(listing, stored, k),
        'dataLabel.audienceSize': renderEstimate(stored, k),
        approvedAt: now,
        listedAt: now,
      },
      unset: ['suspensionReason'],
    });
  }

  async reject(auth: AuthContext, id: string, reason: string): Promise<ListingDto> {
    const listing = await this.findAny(id);
    return this.move(auth, 'reject', listing, { reason, set: { rejectionReason: reason } });
  }

  async suspend(auth: AuthContext, id: string, reason: string): Promise<ListingDto> {
    const listing = await this.findAny(id);
    return this.move(auth, 'suspend', listing, { reason, set: { suspensionReason: reason } });
  }

  async reinstate(auth: AuthContext, id: string): Promise<ListingDto> {
    const listing = await this.findAny(id);
    return this.move(auth, 'reinstate', listing, { unset: ['suspensionReason'] });
  }

  // ---- internals ----

  private async move(
    auth: AuthContext,
    action: Exclude<Action, 'edit'>,
    listing: Listing,
    opts: { orgId?: string; reason?: string; set?: Record<string, unknown>; unset?: string[] },
  ): Promise<ListingDto> {
    const t = TRANSITIONS[action];
    this.assertFrom(action, listing.status);
    const event: ModerationEvent = {
      action,
      from: listing.status,
      to: t.to,
      actorId: auth.userId,
      ...(opts.reason ? { reason: opts.reason } : {}),
      at: new Date(),
    };
    const updated = await this.listings.transition({
      id: String(listing._id),
      orgId: opts.orgId,
      // The state read a moment ago: if anyone moved the listing since, nothing matches and this is a 409.
      from: listing.status,
      seq: listing.rev,
      to: t.to,
      event,
      set: opts.set,
      unset: opts.unset,
    });
    if (!updated) {
      const now = opts.orgId ? await this.listings.findOwned(opts.orgId, String(listing._id)) : await this.listings.findById(String(listing._id));
      if (!now) throw AppError.notFound('Listing');
      if (!t.from.includes(now.status)) throw AppError.conflict(t.code, t.message, [{ status: now.status }]);
      throw AppError.conflict('LISTING_STATE_CONFLICT', 'The listing changed meanwhile; read it again', [{ status: now.status }]);
    }
    await this.audit.record(auth, {
      action: `listing.${action}`,
      targetType: 'listing',
      targetId: String(listing._id),
      orgId: String(listing.orgId),
      reason: opts.reason,
      details: { from: listing.status, to: t.to },
    });
    return this.toDto(updated);
  }

  private assertFrom(action: Exclude<Action, 'edit'>, status: ListingStatus): void {
    const t = TRANSITIONS[action];
    if (!t.from.includes(status)) throw AppError.conflict(t.code, t.message, [{ status }]);
  }

  private async findOwned(auth: AuthContext, id: string): Promise<Listing> {
    const listing = await this.listings.findOwned(auth.orgId, id);
    if (!listing) throw AppError.notFound('Listing');
    return listing;
  }

  private async findAny(id: string): Promise<Listing> {
    const listing = await this.listings.findById(id);
    if (!listing) throw AppError.notFound('Listing');
    return listing;
  }

  private checkTaxonomy(ids: number[]): void {
    const problem = checkTaxonomyIds(ids, this.config.privacy.deniedTraitTerms);
    if (!problem) return;
    const message =
      problem.code === 'UNKNOWN_TAXONOMY_ID'
        ? `${problem.id} is not an IAB Audience Taxonomy 1.1 id`
        : `${taxonomyNode(problem.id)?.path ?? problem.id} is a special category of personal data`;
    throw AppError.badRequest(problem.code, message, [{ taxonomyId: problem.id }]);
  }

  private toDto(l: Listing): ListingDto {
    return toListingDto(l, this.config.privacy.minSegmentSize);
  }
}

function notEditable(status: ListingStatus): AppError {
  return AppError.conflict(
    'LISTING_NOT_EDITABLE',
    status === 'approved' || status === 'suspended'
      ? 'An approved listing cannot be edited: archive it and create a new listing, which goes back to review'
      : `A listing in status ${status} cannot be edited; only draft and rejected listings can`,
    [{ status }],
  );
}

export function searchText(title: string, description: string): string {
  return `${title} ${description}`.toLowerCase();
}

function ancestry(ids: number[]): number[] {
  const out = new Set<number>();
  for (const id of ids) {
    for (let n = taxonomyNode(id); n; n = n.parentId === null ? undefined : taxonomyNode(n.parentId)) out.add(n.id);
  }
  return [...out].sort((a, b) => a - b);
}

/** CPM in minor units, comparable across models: a flat price is spread over the public size estimate. */
export function comparablePrice(listing: Pick<Listing, 'pricing'>, storedEstimate: number, k: number): number {
  if (listing.pricing.model === 'cpm') return listing.pricing.amount;
  return Math.ceil((listing.pricing.amount * 1000) / Math.max(storedEstimate, k));
}

