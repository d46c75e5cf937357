import type { Listing } from '../listings/listing.schema';
import { taxonomyNode } from '../listings/taxonomy/taxonomy';

/**
 * How well one approved listing fits an advertiser's brief (docs/matching.md, "Recommendations").
 *
 * Each criterion the brief sets gives a component c ∈ [0, 1]; criteria it leaves out are left out of the sum:
 *
 *   score = round(100 · Σ wᵢ·cᵢ / Σ wᵢ)      over the components present      (0 when the brief is empty)
 *
 *   component  weight  c
 *   taxonomy     40    mean over the requested ids of the best credit: 1 exact or the listing is under it,
 *                      0.6 the listing's node is its parent, 0.4 a sibling (same non-root parent),
 *                      0.3 a higher non-root ancestor, else 0
 *   geography    20    |listing countries ∩ requested| / |requested|
 *   size         15    min(1, sizeEstimate / minSize)  (a "<k" listing counts as 0)
 *   price        15    1 at or under maxCpm, then falling linearly to 0 at twice the ceiling;
 *                      0 when the listing is priced in another currency (sortPrice is the CPM-equivalent)
 *   reach        10    cpm: min(1, records the budget buys / sizeEstimate), records = budget / sortPrice · 1000;
 *                      flat: 1 when the budget covers the price, else 0; 0 in another currency
 *
 * Every component adds one human-readable reason. Pure and deterministic: the same inputs give the same score.
 */
export const WEIGHTS = { taxonomy: 40, geography: 20, size: 15, price: 15, reach: 10 } as const;
export const TAXONOMY_CREDIT = { exact: 1, parent: 0.6, sibling: 0.4, ancestor: 0.3 } as const;

export interface Brief {
  taxonomyIds?: number[];
  countries?: string[];
  minSize?: number;
  /** Minor units per thousand records, in `currency`. */
  maxCpm?: number;
  /** Minor units, in `currency`. */
  budget?: number;
  /** Lower-case ISO 4217 code of maxCpm and budget. */
  currency: string;
}

export type ScoredListing = Pick<
  Listing,
  '_id' | 'taxonomyIds' | 'taxonomyAncestorIds' | 'countries' | 'sizeEstimate' | 'sortPrice' | 'pricing'
>;

export interface Score {
  score: number;
  reasons: string[];
}

type Component = { weight: number; value: number; reason: string };

export function scoreListing(listing: ScoredListing, brief: Brief, k: number): Score {
  const parts: Component[] = [];
  if (brief.taxonomyIds?.length) parts.push(taxonomyComponent(listing, brief.taxonomyIds));
  if (brief.countries?.length) parts.push(geographyComponent(listing, brief.countries));
  if (brief.minSize !== undefined) parts.push(sizeComponent(listing, brief.minSize, k));
  if (brief.maxCpm !== undefined) parts.push(priceComponent(listing, brief.maxCpm, brief.currency));
  if (brief.budget !== undefined) parts.push(reachComponent(listing, brief.budget, brief.currency, k));
  if (!parts.length) return { score: 0, reasons: ['no criteria in the brief'] };
  const total = parts.reduce((s, p) => s + p.weight, 0);
  const weighted = parts.reduce((s, p) => s + p.weight * p.value, 0);
  return { score: Math.round((100 * weighted) / total), reasons: parts.map((p) => p.reason) };
}

/** Highest score first, then listing id: the same catalogue and brief always give the same order. */
export function byScoreThenId<T extends { score: number; id: string }>(a: T, b: T): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// ---- taxonomy ----

const label = (id: number) => `'${taxonomyNode(id)?.name ?? 'unknown'}' (id ${id})`;

function ancestorsOf(id: number): number[] {
  const out: number[] = [];
  for (let n = taxonomyNode(id); n && n.parentId !== null; n = taxonomyNode(n.parentId)) out.push(n.parentId);
  return out;
}

const isRoot = (id: number) => taxonomyNode(id)?.parentId === null;

function taxonomyCredit(listing: ScoredListing, wanted: number): { credit: number; reason: string } {
  if (listing.taxonomyIds.includes(wanted)) return { credit: TAXONOMY_CREDIT.exact, reason: `matches taxonomy ${label(wanted)}` };
  const under = listing.taxonomyIds.find((id) => ancestorsOf(id).includes(wanted));
  if (under !== undefined || listing.taxonomyAncestorIds?.includes(wanted)) {
    const via = under !== undefined ? ` via ${label(under)}` : '';
    return { credit: TAXONOMY_CREDIT.exact, reason: `matches taxonomy ${label(wanted)}${via}` };
  }
  const wantedNode = taxonomyNode(wanted);
  const parent = wantedNode?.parentId ?? null;
  if (parent !== null && !isRoot(parent) && listing.taxonomyIds.includes(parent)) {
    return { credit: TAXONOMY_CREDIT.parent, reason: `broader taxonomy ${label(parent)}, parent of ${label(wanted)}` };
  }
  const sibling =
    parent !== null && !isRoot(parent) ? listing.taxonomyIds.find((id) => id !== wanted && taxonomyNode(id)?.parentId === parent) : undefined;
  if (sibling !== undefined) {
    return { credit: TAXONOMY_CREDIT.sibling, reason: `related taxonomy ${label(sibling)}, sibling of ${label(wanted)}` };
  }
  const higher = ancestorsOf(wanted).filter((id) => !isRoot(id)).find((id) => listing.taxonomyIds.includes(id));
  if (higher !== undefined) {
    return { credit: TAXONOMY_CREDIT.ancestor, reason: `broader taxonomy ${label(higher)}, which contains ${label(wanted)}` };
  }
  return { credit: 0, reason: `no taxonomy match for ${label(wanted)}` };
}

function taxonomyComponent(listing: ScoredListing, wanted: number[]): Component {
  const credits = wanted.map((id) => taxonomyCredit(listing, id));
  const value = credits.reduce((s, c) => s + c.credit, 0) / credits.length;
  return { weight: WEIGHTS.taxonomy, value, reason: credits.map((c) => c.reason).join('; ') };
}

// ---- geography ----

function geographyComponent(listing: ScoredListing, wanted: string[]): Component {
  const covered = wanted.filter((c) => listing.countries.includes(c));
  const reason = covered.length
    ? `covers ${covered.length} of ${wanted.length} requested ${wanted.length === 1 ? 'country' : 'countries'}: ${covered.join(', ')}`
    : `covers none of the requested countries (${wanted.join(', ')})`;
  return { weight: WEIGHTS.geography, value: covered.length / wanted.length, reason };
}

// ---- size ----

function sizeComponent(listing: ScoredListing, minSize: number, k: number): Component {
  const size = listing.sizeEstimate;
  if (size < k) {
    const value = minSize === 0 ? 1 : 0;
    return { weight: WEIGHTS.size, value, reason: `size under ${k} (not disclosed), your minimum is ${count(minSize)}` };
  }
  if (size >= minSize) return { weight: WEIGHTS.size, value: 1, reason: `~${count(size)} records, at least your minimum of ${count(minSize)}` };
  return { weight: WEIGHTS.size, value: size / minSize, reason: `~${count(size)} records, under your minimum of ${count(minSize)}` };
}

// ---- price and reach ----

function priceComponent(listing: ScoredListing, maxCpm: number, currency: string): Component {
  if (listing.pricing.currency !== currency) {
    return { weight: WEIGHTS.price, value: 0, reason: `priced in ${listing.pricing.currency.toUpperCase()}, your ceiling is in ${currency.toUpperCase()}` };
  }
  const price = listing.sortPrice;
  const what = listing.pricing.model === 'cpm' ? 'CPM' : 'CPM-equivalent';
  if (price <= maxCpm) {
    const rel = price === maxCpm ? 'at' : 'under';
    return { weight: WEIGHTS.price, value: 1, reason: `${what} ${money(price, currency)} ${rel} your ${money(maxCpm, currency)} ceiling` };
  }
  const value = maxCpm === 0 ? 0 : Math.max(0, 1 - (price - maxCpm) / maxCpm);
  return { weight: WEIGHTS.price, value, reason: `${what} ${money(price, currency)} over your ${money(maxCpm, currency)} ceiling` };
}

function reachComponent(listing: ScoredListing, budget: number, currency: string, k: number): Component {
  const w = WEIGHTS.reach;
  if (listing.pricing.currency !== currency) {
    return { weight: w, value: 0, reason: `priced in ${listing.pricing.currency.toUpperCase()}, your budget is in ${currency.toUpperCase()}` };
  }
  const size = listing.sizeEstimate;
  if (listing.pricing.model === 'flat') {
    const price = money(listing.pricing.amount, currency);
    return budget >= listing.pricing.amount
      ? { weight: w, value: 1, reason: `budget covers the flat price ${price}${size >= k ? ` for ~${count(size)} records` : ''}` }
      : { weight: w, value: 0, reason: `flat price ${price} is over your ${money(budget, currency)} budget` };
  }
  if (size < k) return { weight: w, value: 0, reason: `size under ${k} (not disclosed): reach unknown` };
  const records = Math.floor((budget * 1000) / Math.max(1, listing.sortPrice));
  if (records >= size) return { weight: w, value: 1, reason: `budget buys all ~${count(size)} records` };
  return { weight: w, value: records / size, reason: `budget buys ~${count(records)} of ~${count(size)} records` };
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 2 });
/** 400k, 1.2M, 950. */
export const count = (n: number) => compact.format(n).replace('K', 'k');

/** Minor units as money: 250 eur → €2.50, 250 jpy → ¥250 (the currency's own number of decimals). */
export function money(minor: number, currency: string): string {
  const fmt = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
  return fmt.format(minor / 10 ** (fmt.resolvedOptions().maximumFractionDigits ?? 2));
}
