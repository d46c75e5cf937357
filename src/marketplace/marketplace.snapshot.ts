import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { AppError } from '../common/app-error';
import { encodeCursor, type KeysetSort, type Page } from '../common/pagination';
import { type AppConfig, InjectConfig } from '../config/config';
import type { Listing } from '../listings/listing.schema';
import { type MarketplaceCriteria, ListingsRepository } from '../listings/listings.repository';

type SortKey = `${string}:${1 | -1}`;

interface Snapshot {
  token: string | null;
  /** null when the catalogue is larger than snapshotMax. */
  items: Listing[] | null;
  sorted: Map<SortKey, Listing[]>;
  /** Start of the latest token read that found this snapshot current, and this process's change count then. */
  checkedAt: number;
  checkedChanges: number;
  /** Order in which loads started: an older load finishing late never replaces a newer snapshot. */
  loadSeq: number;
}

interface TokenRead {
  startedAt: number;
  changes: number;
  token: Promise<string | null>;
}

/**
 * The approved listings, held in memory per instance, so browsing does not sort the whole catalogue in the
 * database on every request (FerretDB, the embedded store, cannot push sorts down: each sorted page read and
 * sorted every approved listing, seconds at 10k listings).
 *
 * Freshness: the one-document marketplace token changes after each approve, suspend, reinstate or archive of an
 * approved listing (ListingsRepository.transition); a different token reloads the snapshot before answering. The
 * token is read at most every MARKETPLACE_SNAPSHOT_CHECK_MS (0 = before every search; concurrent searches share
 * one read), and always before the next search once this process has made a change itself: a listing suspended
 * through this instance is gone from its next search, and from other instances' searches within that interval
 * (plus the reload). The token is read before the data, so a change landing during a reload changes the token
 * again. Above MARKETPLACE_SNAPSHOT_MAX approved listings (or with 0) searches go to the database instead.
 */
@Injectable()
export class MarketplaceSnapshot {
  private current: Snapshot | null = null;
  private loading: { token: string | null; snapshot: Promise<Snapshot> } | null = null;
  private tokenRead: TokenRead | null = null;
  private loads = 0;

  constructor(
    private readonly listings: ListingsRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** A page from memory, or null when the snapshot is disabled or the catalogue is too large for it. */
  async page<T>(criteria: MarketplaceCriteria, sort: KeysetSort, limit: number, cursor: string | undefined, map: (l: Listing) => T): Promise<Page<T> | null> {
    const max = this.config.marketplace.snapshotMax;
    if (max === 0) return null;
    const snap = await this.fresh(max);
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

  /** Every approved listing (public fields), as fresh as a search; null when disabled or above snapshotMax. */
  async approved(): Promise<readonly Listing[] | null> {
    const max = this.config.marketplace.snapshotMax;
    if (max === 0) return null;
    return (await this.fresh(max)).items;
  }

  /** The snapshot, after reading the token when the last check is too old or this process changed listings since. */
  private async fresh(max: number): Promise<Snapshot> {
    const changes = this.listings.marketplaceChangesHere();
    const cur = this.current;
    if (cur && cur.checkedChanges === changes && performance.now() - cur.checkedAt < this.config.marketplace.snapshotCheckMs) return cur;
    const read = this.readToken(changes);
    const token = await read.token;
    // A token read started after this one has already confirmed or replaced the snapshot: it is at least as fresh.
    if (this.current && read.startedAt < this.current.checkedAt) return this.current;
    const snap = this.current?.token === token ? this.current : await this.reload(token, max);
    if (read.startedAt >= snap.checkedAt) {
      snap.checkedAt = read.startedAt;
      snap.checkedChanges = read.changes;
    }
    return snap;
  }

  /**
   * Concurrent searches share one in-flight token read instead of each sending its own, unless this process made
   * a change since that read started: a search that follows a change must not get a token read before it.
   */
  private readToken(changes: number): TokenRead {
    if (this.tokenRead?.changes === changes) return this.tokenRead;
    const read: TokenRead = {
      startedAt: performance.now(),
      changes,
      token: this.listings.marketplaceToken().finally(() => {
        if (this.tokenRead === read) this.tokenRead = null;
      }),
    };
    this.tokenRead = read;
    return read;
  }

  private reload(token: string | null, max: number): Promise<Snapshot> {
    if (this.loading?.token === token) return this.loading.snapshot;
    const loadSeq = ++this.loads;
    const loading = {
      token,
      snapshot: this.listings.findAllApprovedPublic(max).then((items) => {
        // Checked as of the token read that led here (fresh() records it), so: never yet.
        const snap: Snapshot = { token, items, sorted: new Map(), checkedAt: -Infinity, checkedChanges: -1, loadSeq };
        if (!this.current || this.current.loadSeq < loadSeq) this.current = snap;
        return snap;
      }).finally(() => {
        if (this.loading === loading) this.loading = null;
      }),
    };
    this.loading = loading;
    return loading.snapshot;
  }

  private sorted(snap: Snapshot, sort: KeysetSort): Listing[] {
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
