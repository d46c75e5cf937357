import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { type Model, Types } from 'mongoose';
import { type KeysetSort, keysetQuery } from '../common/pagination';
import { trustFilter } from '../segments/rules/trusted-filter';
import { randomUUID } from 'node:crypto';
import { Listing, type ListingStatus, type ModerationEvent } from './listing.schema';
import { MarketplaceState } from './marketplace-state.schema';
import { StateClaims } from '../common/state-claims';


export interface MarketplaceCriteria {
  /** Lower-cased literal text, matched as a substring (escaped before it becomes a regex). */
  text?: string;
  taxonomyId?: number;
  country?: string;
  dataType?: string;
  minSize?: number;
  maxPrice?: number;
  currency?: string;
}

export interface TransitionSpec {
  id: string;
  /** Owner-side transitions name the org, so another tenant's listing never matches. */
  orgId?: string;
  from: ListingStatus;
  /** The rev read together with `from`. */
  seq: number;
  to: ListingStatus;
  event: ModerationEvent;
  set?: Record<string, unknown>;
  unset?: string[];
}

@Injectable()
export class ListingsRepository {
  /** Marketplace changes made by this process (see marketplaceChangesHere). */
  private localMarketplaceChanges = 0;

  constructor(
    @InjectModel(Listing.name) private readonly model: Model<Listing>,
    private readonly claims: StateClaims,
    @InjectModel(MarketplaceState.name) private readonly state: Model<MarketplaceState>,
  ) {}

  async create(data: Partial<Listing>): Promise<Listing> {
    return (await this.model.create(data)).toObject();
  }

  findOwned(orgId: string, id: string): Promise<Listing | null> {
    return this.model.findOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(orgId) }).lean<Listing>().exec();
  }

  findById(id: string): Promise<Listing | null> {
    return this.model.findById(new Types.ObjectId(id)).lean<Listing>().exec();
  }

  findApprovedById(id: string): Promise<Listing | null> {
    return this.model.findOne({ _id: new Types.ObjectId(id), status: 'approved' }).lean<Listing>().exec();
  }

  findPage(where: { orgId?: string; status?: ListingStatus }, sort: KeysetSort, limit: number, cursor?: string): Promise<Listing[]> {
    const q = keysetQuery(sort, cursor);
    const filter: Record<string, unknown> = { ...q.filter };
    if (where.orgId) filter.orgId = new Types.ObjectId(where.orgId);
    if (where.status) filter.status = where.status;
    return this.model.find(trustFilter(filter)).sort(q.sort).limit(limit + 1).lean<Listing[]>().exec();
  }

  /** Edits only while the listing is a draft or rejected, as a compare-and-set on the state read before. */
  async updateEditable(
    orgId: string,
    id: string,
    expected: { status: ListingStatus; seq: number },
    set: Record<string, unknown>,
    event: Omit<ModerationEvent, 'from' | 'to'>,
  ): Promise<Listing | null> {
    if (expected.status !== 'draft' && expected.status !== 'rejected') return null;
    return this.compareAndSet(id, expected.seq, { orgId: new Types.ObjectId(orgId), status: expected.status }, {
      $set: set,
      $push: { moderation: { ...event, from: expected.status, to: expected.status } },
    });
  }

  /**
   * One state change, only if the listing is still in the state (and sequence) the caller read: of two racing
   * moderators exactly one succeeds; the other gets null and answers 409.
   */
  async transition(spec: TransitionSpec): Promise<Listing | null> {
    const filter: Record<string, unknown> = { status: spec.from };
    if (spec.orgId) filter.orgId = new Types.ObjectId(spec.orgId);
    const update: Record<string, unknown> = {
      $set: { ...(spec.set ?? {}), status: spec.to },
      $push: { moderation: spec.event },
    };
    if (spec.unset?.length) update.$unset = Object.fromEntries(spec.unset.map((k) => [k, 1]));
    const updated = await this.compareAndSet(spec.id, spec.seq, filter, update);
    // Any change into or out of `approved` changes what buyers may see: tell every instance's snapshot.
    if (updated && (spec.from === 'approved' || spec.to === 'approved')) await this.touchMarketplace();
    return updated;
  }

  /** The current marketplace token (null before the first change). */
  async marketplaceToken(): Promise<string | null> {
    const doc = await this.state.findById('listings').lean<MarketplaceState>().exec();
    return doc?.token ?? null;
  }

  async touchMarketplace(): Promise<void> {
    try {
      await this.state.updateOne({ _id: 'listings' }, { $set: { token: randomUUID(), at: new Date() } }, { upsert: true }).exec();
    } finally {
      // Counted once the new token is written (or the write failed): the snapshot then reads the token again.
      this.localMarketplaceChanges++;
    }
  }

  /**
   * How many marketplace changes this process has made: a snapshot that saw a different count re-reads the token
   * before answering, so this instance's own moderation decisions apply to its very next search.
   */
  marketplaceChangesHere(): number {
    return this.localMarketplaceChanges;
  }

  /** Every approved listing without private fields, or null when there are more than `max`. */
  async findAllApprovedPublic(max: number): Promise<Listing[] | null> {
    const docs = await this.model
      .find({ status: 'approved' })
      .select({ moderation: 0, consentedSize: 0, rejectionReason: 0, suspensionReason: 0 })
      .limit(max + 1)
      .lean<Listing[]>()
      .exec();
    return docs.length > max ? null : docs;
  }

  /** The newest `max` approved listings without private fields: a bounded scan when the snapshot is unavailable. */
  findNewestApprovedPublic(max: number): Promise<Listing[]> {
    return this.model
      .find({ status: 'approved' })
      .select({ moderation: 0, consentedSize: 0, rejectionReason: 0, suspensionReason: 0 })
      .sort({ status: 1, listedAt: -1, _id: -1 })
      .limit(max)
      .lean<Listing[]>()
      .exec();
  }

  /** One state change, applied once even under concurrency (see StateClaims); `seq` is the rev read with `from`. */
  private compareAndSet(id: string, seq: number, filter: Record<string, unknown>, update: Record<string, unknown>): Promise<Listing | null> {
    return this.claims.transition(this.model, { ...filter, _id: new Types.ObjectId(id), rev: seq }, update);
  }

  findApprovedPage(criteria: MarketplaceCriteria, sort: KeysetSort, limit: number, cursor?: string): Promise<Listing[]> {
    const q = keysetQuery(sort, cursor);
    const and: Record<string, unknown>[] = [{ status: 'approved' }];
    if (criteria.text) and.push({ searchText: { $regex: escapeRegex(criteria.text) } });
    if (criteria.taxonomyId !== undefined) and.push({ taxonomyAncestorIds: criteria.taxonomyId });
    if (criteria.country) and.push({ countries: criteria.country });
    if (criteria.dataType) and.push({ dataTypes: criteria.dataType });
    if (criteria.minSize !== undefined) and.push({ sizeEstimate: { $gte: criteria.minSize } });
    if (criteria.maxPrice !== undefined) and.push({ sortPrice: { $lte: criteria.maxPrice } });
    if (criteria.currency) and.push({ 'pricing.currency': criteria.currency });
    if (Object.keys(q.filter).length) and.push(q.filter);
    return this.model
      .find(trustFilter({ $and: and }))
      .sort(q.sort)
      .limit(limit + 1)
      .lean<Listing[]>()
      .exec();
  }
}

/** Regex metacharacters are escaped: the text is matched literally. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
