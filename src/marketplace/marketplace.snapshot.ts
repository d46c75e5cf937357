import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/app-error';
import { encodeCursor, type KeysetSort, type Page } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Listing } from '../listings/listing.schema';
import { type MarketplaceCriteria, ListingsRepository } from '../listings/listings.repository';

type SortKey = `${string}:${1 | -1}`;

/**
 * The approved listings, held in memory per instance, so browsing does not sort the whole catalogue in the
 * database on every request (FerretDB, the embedded store, cannot push sorts down: each sorted page read and
 * sorted every approved listing, seconds at 10k listings).
 *
 * Freshness: every search first reads the one-document marketplace token (changed after each approve,
 * suspend, reinstate or archive of an approved listing, see ListingsRepository.transition); a different token
 * reloads the snapshot before answering, so a suspended listing disappears from the next search on every
 * instance (concurrent searches share one token read, see readToken). The token is read before the data, so a change landing during a reload changes the token again.
 * Above MARKETPLACE_SNAPSHOT_MAX approved listings (or with 0) searches go to the database instead.
 */
@Injectable()
export class MarketplaceSnapshot {
  private current: { token: string | null; items: Listing[] | null; sorted: Map<SortKey, Listing[]> } | null = null;
  private loading: Promise<void> | null = null;
  private loadingToken: string | null | undefined;
  private tokenRead: Promise<string | null> | null = null;

  constructor(
    private readonly listings: ListingsRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** A page from memory, or null when the snapshot is disabled or the catalogue is too large for it. */
  async page<T>(criteria: MarketplaceCriteria, sort: KeysetSort, limit: number, cursor: string | undefined, map: (l: Listing) => T): Promise<Page<T> | null> {
    const max = this.config.marketplace.snapshotMax;
    if (max === 0) return null;
    const token = await this.readToken();
    if (!this.current || this.current.token !== token) await this.reload(token, max);
    const snap = this.current!;
    if (!snap.items) return null;
    const sorted = this.sorted(snap, sort);
    const after = cursor ? decodeCursor(cursor) : null;
    let i = after ? firstAfter(sorted, sort, after) : 0;
    const out: Listing[] = [];
    const match = predicate(criteria);
    for (; i < sorted.length && out.length <= limit; i++) if (match(sorted[i])) out.push(sorted[i]);
    const hasMore = out.length > limit;
    const items = hasMore ? out.slice(0, limit) : out;
    const last = items[items.length - 1];
    return {
      items: items.map(map),
      nextCursor: hasMore && last ? encodeCursor((last as any)[sort.field], last._id) : null,
    };
  }

  /** Every approved listing (public fields), fresh as of this call; null when disabled or above snapshotMax. */
  async approved(): Promise<readonly Listing[] | null> {
    const max = this.config.marketplace.snapshotMax;
    if (max === 0) return null;
    const token = await this.readToken();
    if (!this.current || this.current.token !== token) await this.reload(token, max);
    return this.current!.items;
  }

  /**
   * Concurrent searches share one in-flight token read instead of each sending its own: under load that is one
   * database round trip per round trip, and a change is seen at most one round trip later.
   */
  private readToken(): Promise<string | null> {
    this.tokenRead ??= this.listings.marketplaceToken().finally(() => {
      this.tokenRead = null;
    });
    return this.tokenRead;
  }

  private reload(token: string | null, max: number): Promise<void> {
    if (this.loading && this.loadingToken === token) return this.loading;
    this.loadingToken = token;
    this.loading = this.listings
      .findAllApprovedPublic(max)
      .then((items) => {
        this.current = { token, items, sorted: new Map() };
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  private sorted(snap: NonNullable<MarketplaceSnapshot['current']>, sort: KeysetSort): Listing[] {
    const key: SortKey = `${sort.field}:${sort.direction}`;
    let arr = snap.sorted.get(key);
    if (!arr) {
      arr = [...snap.items!].sort((a, b) => compare(a, b, sort));
      snap.sorted.set(key, arr);
    }
    return arr;
  }
}

function sortValue(l: Listing, field: string): number | string {
  const v = (l as any)[field];
  if (v instanceof Date) return v.getTime();
  if (v instanceof Types.ObjectId) return v.toHexString();
  return v ?? 0;
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order of keysetQuery: (field, _id), both in the sort's direction. */
function compare(a: Listing, b: Listing, sort: KeysetSort): number {
  const byField = sort.field === '_id' ? 0 : cmp(sortValue(a, sort.field), sortValue(b, sort.field));
  return sort.direction * (byField || cmp(a._id.toHexString(), b._id.toHexString()));
}

/** Index of the first listing strictly after the cursor position (binary search). */
function firstAfter(sorted: Listing[], sort: KeysetSort, after: { v: number | string; id: string }): number {
  const pivot = { _id: new Types.ObjectId(after.id), [sort.field]: after.v } as unknown as Listing;
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(sorted[mid], pivot, sort) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The same format as common/pagination's encodeCursor: base64url JSON {v, id, t?: 'date'}. */
function decodeCursor(cursor: string): { v: number | string; id: string } {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!p || typeof p.id !== 'string' || !Types.ObjectId.isValid(p.id)) throw new Error('bad id');
    if (typeof p.v !== 'number' && typeof p.v !== 'string') throw new Error('bad value');
    const v = p.t === 'date' ? new Date(String(p.v)).getTime() : p.v;
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('bad date');
    return { v, id: p.id };
  } catch {
    throw AppError.badRequest('INVALID_CURSOR', 'The cursor is not valid');
  }
}

/** The database query of ListingsRepository.findApprovedPage, in memory. */
function predicate(c: MarketplaceCriteria): (l: Listing) => boolean {
  return (l) =>
    (!c.text || l.searchText.includes(c.text)) &&
    (c.taxonomyId === undefined || l.taxonomyAncestorIds.includes(c.taxonomyId)) &&
    (c.country === undefined || l.countries.includes(c.country)) &&
    (c.dataType === undefined || l.dataTypes.includes(c.dataType)) &&
    (c.minSize === undefined || l.sizeEstimate >= c.minSize) &&
    (c.maxPrice === undefined || l.sortPrice <= c.maxPrice) &&
    (c.currency === undefined || l.pricing.currency === c.currency);
}
